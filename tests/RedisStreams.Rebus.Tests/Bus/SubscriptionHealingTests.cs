using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rebus.Bus;
using RedisStreams.Testing;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// Redis loses the subscriptions under running buses, and events published afterwards reach their subscribers
/// again without restarting anything (issue 10, item 2).
/// </summary>
public sealed class SubscriptionHealingTests
{
    [Fact]
    public async Task PublishedEventsReachSubscribersAgainAfterRedisRestartsEmpty()
    {
        var port = FreePorts.Next();
        var server = await RedisServerProcess.StartAsync(port);
        try
        {
            var logs = new CapturingLoggerFactory();
            using var harness = new BusHarness(nameof(PublishedEventsReachSubscribersAgainAfterRedisRestartsEmpty), server.Endpoint, logs);
            var handled = new ConcurrentDictionary<int, int>();
            var subscriber = StartSubscriber(harness, handled);
            await subscriber.Subscribe<OrderPlaced>();
            var publisher = harness.StartOneWayClient();
            await publisher.Publish(new OrderPlaced(0));
            Assert.True(await Eventually.TrueAsync(() => handled.ContainsKey(0)), "the event published before the restart never arrived");

            await server.KillAsync();
            server.Dispose();
            server = await RedisServerProcess.StartAsync(port);

            await AssertEventsArriveAgainAsync(publisher, handled);
            AssertRestored(logs, "billing");
        }
        finally
        {
            server.Dispose();
        }
    }

    [Fact]
    public async Task PublishedEventsReachSubscribersAgainAfterTheRegistryKeysWereDeleted()
    {
        var logs = new CapturingLoggerFactory();
        using var harness = new BusHarness(nameof(PublishedEventsReachSubscribersAgainAfterTheRegistryKeysWereDeleted), engineLogs: logs);
        var handled = new ConcurrentDictionary<int, int>();
        var subscriber = StartSubscriber(harness, handled);
        await subscriber.Subscribe<OrderPlaced>();
        var publisher = harness.StartOneWayClient();
        await publisher.Publish(new OrderPlaced(0));
        Assert.True(await Eventually.TrueAsync(() => handled.ContainsKey(0)), "the event published before the loss never arrived");

        Assert.True(await harness.DeleteRegistryKeysAsync() > 0);

        await AssertEventsArriveAgainAsync(publisher, handled);
        AssertRestored(logs, "billing");
    }

    static IBus StartSubscriber(BusHarness harness, ConcurrentDictionary<int, int> handled) =>
        harness.StartBus("billing", a => a.Handle<OrderPlaced>(e =>
        {
            handled.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }));

    /// <summary>Publishes probes until one arrives, then asserts that every event published afterwards arrives.</summary>
    static async Task AssertEventsArriveAgainAsync(IBus publisher, ConcurrentDictionary<int, int> handled)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var probes = new List<int>();
        Exception? lastError = null;
        for (var probe = 1_000_000; !probes.Any(handled.ContainsKey); probe++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"none of {probes.Count} events published after the loss arrived: the subscription never came back (last publish error: {lastError?.Message ?? "none"})");
            try
            {
                await publisher.Publish(new OrderPlaced(probe));
                probes.Add(probe);
            }
            catch (Exception e)
            {
                // Redis is still coming back (Rebus wraps the transport's exception).
                lastError = e;
            }

            await Task.Delay(100);
        }

        var after = Enumerable.Range(1, 50).ToList();
        foreach (var id in after)
        {
            await publisher.Publish(new OrderPlaced(id));
        }

        Assert.True(await Eventually.TrueAsync(() => after.All(handled.ContainsKey)), $"missing after recovery: {string.Join(", ", after.Where(id => !handled.ContainsKey(id)))}");
    }

    static void AssertRestored(CapturingLoggerFactory logs, string queue) =>
        Assert.True(
            logs.WithEventId(1040).Any(w => w.Level == LogLevel.Warning && w.Message.Contains("OrderPlaced", StringComparison.Ordinal) && w.Message.Contains(queue, StringComparison.Ordinal)),
            $"No warning 1040 says that {queue}'s subscription was written again. Logged:{Environment.NewLine}{string.Join(Environment.NewLine, logs.Lines)}");
}
