using RedisStreams.Testing;
using RedisStreams.Transport.Tests.Security;
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
