using MassTransit;
using Microsoft.Extensions.Logging;
using RedisStreams.Testing;

namespace RedisStreams.MassTransit.Tests;

/// <summary>
/// Redis loses the subscriptions and topic links under a running bus, and published events reach their
/// consumers again without restarting it (issue 10, item 2). The consumer takes an interface, so a published
/// class needs both its endpoint's subscription and the class-to-interface link.
/// </summary>
public class SelfHealingSpecs
{
    [Fact]
    public async Task Published_events_reach_their_consumers_again_after_redis_restarts_empty()
    {
        var port = FreePorts.Next();
        var server = await RedisServerProcess.StartAsync(port);
        try
        {
            var logs = new CapturingLoggerFactory();
            await using var bus = await StartBusAsync(server.Endpoint, logs);
            await AssertPublishedEventArrivesAsync(bus);

            await server.KillAsync();
            server.Dispose();
            server = await RedisServerProcess.StartAsync(port);

            await AssertEventsArriveAgainAsync(bus);
            AssertRestored(logs);
        }
        finally
        {
            server.Dispose();
        }
    }

    [Fact]
    public async Task Published_events_reach_their_consumers_again_after_the_registry_keys_were_deleted()
    {
        var logs = new CapturingLoggerFactory();
        await using var bus = await StartBusAsync(redis: null, logs);
        await AssertPublishedEventArrivesAsync(bus);

        Assert.True(await bus.DeleteRegistryKeysAsync() > 0);

        await AssertEventsArriveAgainAsync(bus);
        AssertRestored(logs);
    }

    static Task<BusFixture> StartBusAsync(RedisEndpoint? redis, CapturingLoggerFactory logs, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        BusFixture.StartAsync(
            bus: (_, cfg) =>
            {
                cfg.ConfigureEngine(engine => engine.SubscriptionCheckInterval = TimeSpan.FromMilliseconds(500));
                cfg.ReceiveEndpoint("healing-orders", e => e.Consumer<OrderEventConsumer>());
            },
            redis: redis,
            logs: logs,
            test: test);

    static async Task AssertPublishedEventArrivesAsync(BusFixture bus)
    {
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new OrderSubmitted(id));
        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1)), "the event published before the loss never arrived");
    }

    /// <summary>Publishes probes until one arrives, then asserts that every event published afterwards arrives.</summary>
    static async Task AssertEventsArriveAgainAsync(BusFixture bus)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var probes = new List<Guid>();
        Exception? lastError = null;
        while (!probes.Any(p => Seen.Count(p) > 0))
        {
            Assert.True(DateTime.UtcNow < deadline, $"none of {probes.Count} events published after the loss arrived: the subscriptions never came back (last publish error: {lastError?.Message ?? "none"})");
            var probe = Guid.NewGuid();
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await bus.Bus.Publish(new OrderSubmitted(probe), attempt.Token);
                probes.Add(probe);
            }
            catch (Exception e)
            {
                // Redis is still coming back.
                lastError = e;
            }

            await Task.Delay(100);
        }

        var after = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in after)
        {
            await bus.Bus.Publish(new OrderSubmitted(id));
        }

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(after.All(id => Seen.Count(id) == 1))), $"{after.Count(id => Seen.Count(id) == 0)} of {after.Count} events published after recovery never arrived");
    }

    /// <summary>Both the endpoint's subscription to the interface and the class-to-interface link were written again, with a warning.</summary>
    static void AssertRestored(CapturingLoggerFactory logs)
    {
        var warnings = logs.WithEventId(1040).Where(w => w.Level == LogLevel.Warning).ToList();
        var all = string.Join(Environment.NewLine, logs.Lines.Where(l => l.Contains("[104", StringComparison.Ordinal)));
        Assert.True(warnings.Any(w => w.Message.Contains("IOrderEvent'", StringComparison.Ordinal) && w.Message.Contains("healing-orders", StringComparison.Ordinal)), $"no warning about the endpoint's subscription; logged:{Environment.NewLine}{all}");
        Assert.True(warnings.Any(w => w.Message.Contains("OrderSubmitted'", StringComparison.Ordinal) && w.Message.Contains("IOrderEvent", StringComparison.Ordinal)), $"no warning about the published type's link; logged:{Environment.NewLine}{all}");
    }
}
