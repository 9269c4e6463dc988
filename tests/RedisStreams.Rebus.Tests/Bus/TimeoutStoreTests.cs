using System.Collections.Concurrent;
using Rebus.Activation;
using Rebus.Config;
using Rebus.Persistence.InMem;
using Rebus.Routing.TypeBased;
using Rebus.Time;
using Rebus.Timeouts;
using Rebus.Transport.InMem;
using RedisStreams.Rebus.Tests.Factories;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// A timeout store the user configured with <c>.Timeouts(...)</c> is used, as on any other transport: deferred
/// messages go into it and what it already holds is delivered. Without one, Redis holds deferred messages itself.
/// </summary>
public sealed class TimeoutStoreTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(TimeoutStoreTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task DeferredMessagesGoThroughAnExplicitlyRegisteredTimeoutStore()
    {
        var store = new InMemoryTimeoutManager(new DefaultRebusTime());
        var received = new ConcurrentBag<string>();
        var bus = _harness.StartBus("reminders", a => a.Handle<Reminder>(r =>
        {
            received.Add(r.Text);
            return Task.CompletedTask;
        }), timeouts: t => t.Register(_ => store));

        await bus.DeferLocal(TimeSpan.FromSeconds(5), new Reminder("through the store"));

        Assert.True(await Eventually.TrueAsync(() => store.Count() == 1, TimeSpan.FromSeconds(4)), "the configured timeout store never saw the deferred message");
        Assert.Equal(0, (await StatisticsAsync("reminders")).Delayed);
        Assert.True(await Eventually.TrueAsync(() => received.Count == 1), "the deferred message never arrived");
        Assert.Equal(["through the store"], received);
        Assert.Empty(store);
    }

    [Fact]
    public async Task StoreInMemoryKeepsDeferredMessagesOutOfRedis()
    {
        var received = new ConcurrentBag<string>();
        var bus = _harness.StartBus("reminders", a => a.Handle<Reminder>(r =>
        {
            received.Add(r.Text);
            return Task.CompletedTask;
        }), timeouts: t => t.StoreInMemory());

        await bus.DeferLocal(TimeSpan.FromSeconds(3), new Reminder("in memory"));

        // Rebus's store holds it: nothing waits in Redis's delayed set.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await StatisticsAsync("reminders")).Delayed);
        Assert.True(await Eventually.TrueAsync(() => received.Count == 1), "the deferred message never arrived");
        Assert.Equal(["in memory"], received);
    }

    [Fact]
    public async Task TimeoutsLeftInAStoreByThePreviousTransportAreDelivered()
    {
        // The application ran on another transport with a durable timeout store and stopped with a timeout in it.
        var store = new InMemoryTimeoutManager(new DefaultRebusTime());
        using (var previous = new BuiltinHandlerActivator())
        {
            var before = Configure.With(previous)
                .Logging(l => l.None())
                .Transport(t => t.UseInMemoryTransport(new InMemNetwork(), "reminders"))
                .Timeouts(t => t.Register(_ => store))
                .Start();
            await before.DeferLocal(TimeSpan.FromSeconds(4), new Reminder("left behind"));
            Assert.True(await Eventually.TrueAsync(() => store.Count() == 1), "the previous transport never stored the timeout");
        }

        // It switches to Redis Streams and keeps its .Timeouts(...) line.
        var received = new ConcurrentBag<string>();
        _harness.StartBus("reminders", a => a.Handle<Reminder>(r =>
        {
            received.Add(r.Text);
            return Task.CompletedTask;
        }), timeouts: t => t.Register(_ => store));

        Assert.True(await Eventually.TrueAsync(() => received.Count == 1), "a timeout already in the store was never delivered");
        Assert.Equal(["left behind"], received);
        Assert.Empty(store);
    }

    [Fact]
    public async Task AnExternalTimeoutManagerOnRedisStreamsReceivesAndDeliversDeferredMessages()
    {
        var received = new ConcurrentBag<string>();
        _harness.StartBus("reminders", a => a.Handle<Reminder>(r =>
        {
            received.Add(r.Text);
            return Task.CompletedTask;
        }));
        _harness.StartBus("timeouts", _ => { }, timeouts: t => t.StoreInMemory());
        var sender = _harness.StartBus(
            "sender",
            _ => { },
            routes: r => r.Map<Reminder>("reminders"),
            timeouts: t => t.UseExternalTimeoutManager("timeouts"));

        await sender.Defer(TimeSpan.FromSeconds(1), new Reminder("via the timeout manager"));

        Assert.True(await Eventually.TrueAsync(() => received.Count == 1), "the deferred message never arrived");
        Assert.Equal(["via the timeout manager"], received);
    }

    [Fact]
    public void AOneWayClientWithATimeoutStoreFailsAtStartAndSaysWhatToDo()
    {
        var failure = Assert.ThrowsAny<Exception>(() => _harness.StartOneWayClient(timeouts: t => t.StoreInMemory()));

        var message = failure.ToString();
        Assert.Contains(".Timeouts(", message, StringComparison.Ordinal);
        Assert.Contains("natively", message, StringComparison.Ordinal);
        Assert.Contains(nameof(InMemoryTimeoutManager), message, StringComparison.Ordinal);
    }

    async Task<QueueStatistics> StatisticsAsync(string queue)
    {
        using var inspector = await RedisStreamsClient.ConnectAsync(TestRedis.Endpoint.ConnectionString, new RedisStreamsOptions { KeyPrefix = _harness.Prefix });
        return await inspector.GetQueueStatisticsAsync(queue);
    }
}
