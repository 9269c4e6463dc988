using RedisStreams.Testing;
using StackExchange.Redis;
using static RedisStreams.Transport.Tests.Resilience.ResilienceTestSupport;

namespace RedisStreams.Transport.Tests.Resilience;

/// <summary>
/// Redis at maxmemory refuses writes that need memory: receivers must still start and drain (which frees memory),
/// and writes must fail at once with a message that names the cause and the fix (issue 10, item 4).
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class OutOfMemoryTests
{
    [Fact]
    public async Task A_receiver_starts_and_drains_an_existing_backlog_while_redis_is_out_of_memory()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var prefix = TestNames.UniquePrefix();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        await using (var before = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions { KeyPrefix = prefix }))
        {
            // The consumer ran before (its group exists), then stopped; the backlog waits for it.
            await before.ProvisionQueueAsync("backlog");
            await before.SendManyAsync(Enumerable.Range(0, 50).Select(i => ("backlog", Message($"m{i}"))));
        }

        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions { KeyPrefix = prefix, IdlePollInterval = TimeSpan.FromMilliseconds(200) });
        await using var receiver = client.CreateReceiver("backlog", prefetchCount: 10);
        await receiver.StartAsync();
        var received = new HashSet<string>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received.Count < 50 && DateTime.UtcNow < deadline)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromMilliseconds(500));
            if (message is not null)
            {
                received.Add(message.Headers["id"]);
                await receiver.AckAsync(message);
            }
        }

        Assert.Equal(50, received.Count);
        Assert.Equal(0, await admin.GetDatabase().StreamLengthAsync($"{prefix}:{{backlog}}"));
        Assert.True(receiver.Health.IsHealthy, receiver.Health.Description);
    }

    [Fact]
    public async Task Send_publish_and_schedule_under_OOM_fail_at_once_with_the_cause_and_the_fix()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());

        // A retry window far longer than the test's deadline: only failing at once can pass.
        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions
        {
            KeyPrefix = TestNames.UniquePrefix(),
            WriteRetryTimeout = TimeSpan.FromMinutes(10),
        });
        await client.Subscriptions.SubscribeAsync("topic", "orders");
        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

        var within = TimeSpan.FromSeconds(30);
        var send = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => client.SendAsync("orders", Message("1")), within);
        var publish = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => client.PublishAsync("topic", Message("2")), within);
        var schedule = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => client.SendAsync("orders", Message("3", TimeSpan.FromMinutes(1))), within);

        foreach (var failure in new RedisStreamsWriteException[] { send, publish, schedule })
        {
            Assert.Contains("out of memory", failure.Message, StringComparison.Ordinal);
            Assert.Contains("maxmemory", failure.Message, StringComparison.Ordinal);
            Assert.Contains("drain", failure.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{server.Port}", failure.Message, StringComparison.Ordinal);
        }

        Assert.Contains("topic 'topic'", publish.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_restarted_under_OOM_subscribes_and_links_again_without_writing()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var options = new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix(), SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200) };
        await using (var before = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", options))
        {
            await before.Subscriptions.SubscribeAsync("IOrderEvent", "billing");
            await before.Subscriptions.LinkTopicsAsync("OrderPlaced", "IOrderEvent");
        }

        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

        // Redis refuses SADD under OOM even for a member that exists: the endpoint must find everything in place and
        // write nothing, or it could not start until memory is freed.
        var logs = new CapturingLoggerFactory();
        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", options, logs);
        await client.Subscriptions.SubscribeAsync("IOrderEvent", "billing");
        await client.Subscriptions.LinkTopicsAsync("OrderPlaced", "IOrderEvent");

        Assert.Equal(["billing"], await client.Subscriptions.ResolveQueuesAsync("OrderPlaced"));
        Assert.Empty(logs.WithEventId(1022));
    }

    [Fact]
    public async Task A_subscription_without_an_epoch_is_accepted_under_OOM_and_the_check_writes_its_epoch_once_memory_is_freed()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var prefix = TestNames.UniquePrefix();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");

        // Written by a version before epochs existed.
        await admin.GetDatabase().SetAddAsync($"{prefix}:topic:{{OrderPlaced}}:queues", "billing");
        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions
        {
            KeyPrefix = prefix,
            SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200),
        });
        await client.Subscriptions.SubscribeAsync("OrderPlaced", "billing");
        Assert.False(await admin.GetDatabase().KeyExistsAsync($"{prefix}:topic:{{OrderPlaced}}:epoch"));

        await RedisMemoryPressure.ReleaseAsync(server.Port);

        Assert.True(
            await EventuallyAsync(() => admin.GetDatabase().KeyExistsAsync($"{prefix}:topic:{{OrderPlaced}}:epoch")),
            "the check never wrote the topic's epoch after memory was freed");
        Assert.Equal(["billing"], await client.Subscriptions.GetSubscribersAsync("OrderPlaced"));
    }

    [Fact]
    public async Task A_repair_refused_under_OOM_is_logged_and_done_once_memory_is_freed()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var prefix = TestNames.UniquePrefix();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        var logs = new CapturingLoggerFactory();
        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions
        {
            KeyPrefix = prefix,
            SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200),
            WriteRetryTimeout = TimeSpan.FromMinutes(10),
        }, logs);
        await client.Subscriptions.SubscribeAsync("OrderPlaced", "billing");
        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

        // The registry is lost while Redis is full (DEL is allowed under OOM).
        await admin.GetDatabase().KeyDeleteAsync([$"{prefix}:topic:{{OrderPlaced}}:queues", $"{prefix}:topic:{{OrderPlaced}}:epoch"]);

        // The check fails at once, says so, and keeps trying; nothing is thrown at anyone.
        Assert.True(
            await EventuallyAsync(() => Task.FromResult(logs.WithEventId(1042).Any(e => e.Exception is RedisStreamsOutOfMemoryException))),
            $"no failed check was logged with the out-of-memory error. Logged:{Environment.NewLine}{string.Join(Environment.NewLine, logs.Lines)}");
        Assert.Empty(await client.Subscriptions.GetSubscribersAsync("OrderPlaced"));

        await RedisMemoryPressure.ReleaseAsync(server.Port);

        Assert.True(
            await EventuallyAsync(async () => (await client.Subscriptions.GetSubscribersAsync("OrderPlaced")).Contains("billing")),
            "the subscription never came back after memory was freed");
        Assert.Contains(logs.WithEventId(1040), e => e.Message.Contains("'OrderPlaced'", StringComparison.Ordinal) && e.Message.Contains("billing", StringComparison.Ordinal));
    }

    static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }

    [Fact]
    public async Task Writes_of_messages_too_large_for_a_script_fail_at_once_under_OOM_and_staged_ones_wait_for_memory()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var prefix = TestNames.UniquePrefix();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        var logs = new CapturingLoggerFactory();
        await using var client = await RedisStreamsClient.ConnectAsync(
            $"127.0.0.1:{server.Port}",
            new RedisStreamsOptions { KeyPrefix = prefix, WriteRetryTimeout = TimeSpan.FromMinutes(10), DelayedPollInterval = TimeSpan.FromMilliseconds(100) },
            logs);
        await client.ProvisionQueueAsync("big");

        // What a mover or a redrive leaves staged when it cannot write it: the receiver's mover writes it.
        await admin.GetDatabase().HashSetAsync($"{prefix}:{{big}}:oversized", "token-1", Transport.Wire.PackedFields.Pack(Transport.Wire.StreamFields.Encode(TooLargeForAScript("staged"))));
        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

        var send = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => client.SendAsync("big", TooLargeForAScript("sent")), TimeSpan.FromSeconds(30));
        Assert.Contains("out of memory", send.Message, StringComparison.Ordinal);
        Assert.Equal("queue 'big'", send.Destination);

        await using var receiver = client.CreateReceiver("big");
        await receiver.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!logs.Lines.Any(l => l.Contains("[1036]", StringComparison.Ordinal) && l.Contains(nameof(RedisStreamsOutOfMemoryException), StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains(logs.Lines, l => l.Contains("[1036]", StringComparison.Ordinal) && l.Contains(nameof(RedisStreamsOutOfMemoryException), StringComparison.Ordinal));
        Assert.Equal(1, await admin.GetDatabase().HashLengthAsync($"{prefix}:{{big}}:oversized"));

        await admin.GetServers()[0].ConfigSetAsync("maxmemory", "0");
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(message);
        Assert.Equal("staged", message.Headers["id"]);
        Assert.Equal(5001, message.Headers.Count);
        Assert.Equal(0, await admin.GetDatabase().HashLengthAsync($"{prefix}:{{big}}:oversized"));
    }
}
