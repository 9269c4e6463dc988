using RedisStreams.Testing;
using StackExchange.Redis;
using static RedisStreams.Transport.Tests.Resilience.ResilienceTestSupport;

namespace RedisStreams.Transport.Tests.Resilience;

/// <summary>Durable writes (RequiredReplicas): confirmed by WAIT, or failed with a clear exception.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class DurableWriteTests
{
    [Fact]
    public async Task A_durable_send_without_a_replica_fails_with_the_replication_exception()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions
        {
            KeyPrefix = TestNames.UniquePrefix(),
            RequiredReplicas = 1,
            ReplicationTimeout = TimeSpan.FromMilliseconds(100),
            WriteRetryTimeout = TimeSpan.FromSeconds(1),
        });

        var failure = await FailsWithinAsync<RedisStreamsReplicationException>(() => client.SendAsync("durable", Message("1")), TimeSpan.FromSeconds(30));

        Assert.Equal(0, failure.ConfirmedReplicas);
        Assert.Equal(1, failure.RequiredReplicas);
        Assert.Equal("queue 'durable'", failure.Destination);
        Assert.Contains("only 0 of the 1 required replica(s) confirmed", failure.Message, StringComparison.Ordinal);
        Assert.Contains("a failover erases the write", failure.Message, StringComparison.Ordinal);
        Assert.Contains("INFO replication", failure.Message, StringComparison.Ordinal);

        // Publishing, scheduling, subscribing and sending a message too large for a script are held to the same rule.
        await Assert.ThrowsAsync<RedisStreamsReplicationException>(() => client.Subscriptions.SubscribeAsync("durable-topic", "durable"));
        await Assert.ThrowsAsync<RedisStreamsReplicationException>(() => client.SendAsync("durable", Message("2", TimeSpan.FromMinutes(1))));
        await Assert.ThrowsAsync<RedisStreamsReplicationException>(() => client.SendAsync("durable", TooLargeForAScript("3")));
    }

    [Fact]
    public async Task With_a_replica_every_write_is_confirmed_and_reaches_the_replica()
    {
        using var primary = await RedisServerProcess.StartAsync(FreePorts.Next());
        using var replica = await RedisReplication.StartReplicaAsync(primary.Port);
        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{primary.Port}", new RedisStreamsOptions
        {
            KeyPrefix = "durable",
            RequiredReplicas = 1,
        });

        await client.Subscriptions.SubscribeAsync("topic", "orders");
        await client.SendAsync("orders", Message("sent"));
        Assert.Equal(1, await client.PublishAsync("topic", Message("published")));
        await client.SendManyAsync([("orders", Message("batch-1")), ("orders", Message("batch-2")), ("orders", Message("scheduled", TimeSpan.FromMinutes(5)))]);
        await using var receiver = client.CreateReceiver("orders");
        await receiver.StartAsync();
        var acked = new List<string>();
        while (acked.Count < 4)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            await receiver.AckAsync(message);
            acked.Add(message.Headers["id"]);
        }

        // WAIT confirmed each write, so the replica holds what the primary holds (acks included) without waiting.
        using var replicaConnection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{replica.Port}");
        var onReplica = replicaConnection.GetDatabase();
        Assert.Equal(["batch-1", "batch-2", "published", "sent"], acked.Order());
        Assert.Equal(0, await onReplica.StreamLengthAsync("durable:{orders}"));
        Assert.Equal(1, await onReplica.SortedSetLengthAsync("durable:{orders}:delayed"));
        Assert.True(await onReplica.SetContainsAsync("durable:topic:{topic}:queues", "orders"));
    }

    [Fact]
    public async Task With_a_replica_messages_too_large_for_a_script_are_confirmed_when_sent_and_when_requeued()
    {
        using var primary = await RedisServerProcess.StartAsync(FreePorts.Next());
        using var replica = await RedisReplication.StartReplicaAsync(primary.Port);
        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{primary.Port}", new RedisStreamsOptions
        {
            KeyPrefix = "durable-big",
            RequiredReplicas = 1,
        });
        using var replicaConnection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{replica.Port}");
        var onReplica = replicaConnection.GetDatabase();

        await client.SendAsync("big", TooLargeForAScript("big"));
        Assert.Equal(1, await onReplica.StreamLengthAsync("durable-big:{big}"));

        await using var receiver = client.CreateReceiver("big");
        await receiver.StartAsync();
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(message);
        await receiver.DeadLetterAsync(message, "gave up");
        await receiver.StopAsync();
        Assert.Equal(1, await client.RequeueDeadLettersAsync("big"));

        // The requeue's own write of the entry (staged by its script) was confirmed by WAIT: the replica has it now.
        var entry = Assert.Single(await onReplica.StreamRangeAsync("durable-big:{big}"));
        Assert.Equal(Transport.Wire.StreamFields.Encode(TooLargeForAScript("big")).Length, entry.Values.Length * 2);
        Assert.Equal(0, await onReplica.HashLengthAsync("durable-big:{big}:oversized"));
        Assert.Equal(0, await onReplica.StreamLengthAsync("durable-big:{big}:dead-letter"));
    }

    [Fact]
    public async Task A_background_ack_that_no_replica_confirms_is_logged_as_a_possible_redelivery()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        await using (var plain = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions { KeyPrefix = prefix }))
        {
            await plain.SendAsync("acks", Message("1"));
        }

        var logs = new CapturingLoggerFactory();
        await using var durable = await RedisStreamsClient.ConnectAsync(
            redis.ConnectionString,
            new RedisStreamsOptions
            {
                KeyPrefix = prefix,
                RequiredReplicas = 1,
                ReplicationTimeout = TimeSpan.FromMilliseconds(50),
                WriteRetryTimeout = TimeSpan.FromMilliseconds(500),
            },
            logs);
        var receiver = durable.CreateReceiver("acks");
        await receiver.StartAsync();
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(message);

        receiver.AckInBackground(message);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!logs.Lines.Any(l => l.Contains("[1016]", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var logged = Assert.Single(logs.Lines, l => l.Contains("[1016]", StringComparison.Ordinal));
        Assert.Contains(nameof(RedisStreamsReplicationException), logged, StringComparison.Ordinal);
        Assert.Contains("delivered again", logged, StringComparison.Ordinal);
        await receiver.DisposeAsync();

        // The ack did reach the primary; only its replication is unconfirmed. Had a failover undone it, the entry
        // would be pending again and delivered once more: a duplicate, never a loss.
        var stats = await durable.GetQueueStatisticsAsync("acks");
        Assert.Equal(0, stats.Length);
    }
}
