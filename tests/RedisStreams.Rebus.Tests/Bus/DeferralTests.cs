using System.Collections.Concurrent;
using Rebus.Bus;
using Rebus.Messages;
using Rebus.Routing.TypeBased;

namespace RedisStreams.Rebus.Tests.Bus;

public sealed class DeferralTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(DeferralTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task DeferGoesToTheRoutedRecipient()
    {
        var received = new ConcurrentBag<string>();
        _harness.StartBus("reminders", a => a.Handle<Reminder>(r =>
        {
            received.Add(r.Text);
            return Task.CompletedTask;
        }));
        var sender = _harness.StartBus("sender", _ => { }, routes: r => r.Map<Reminder>("reminders"));

        await sender.Defer(TimeSpan.FromMilliseconds(500), new Reminder("routed"));

        Assert.True(await Eventually.TrueAsync(() => received.Count == 1), "the deferred message never arrived");
        Assert.Equal(["routed"], received);
    }

    [Fact]
    public async Task RoutingDeferGoesToTheGivenAddress()
    {
        var received = new ConcurrentBag<string>();
        _harness.StartBus("reminders", a => a.Handle<Reminder>(r =>
        {
            received.Add(r.Text);
            return Task.CompletedTask;
        }));
        var sender = _harness.StartBus("sender", _ => { });

        await sender.Advanced.Routing.Defer("reminders", TimeSpan.FromMilliseconds(500), new Reminder("explicit"));

        Assert.True(await Eventually.TrueAsync(() => received.Count == 1), "the deferred message never arrived");
        Assert.Equal(["explicit"], received);
    }

    [Fact]
    public async Task OneWayClientDefers()
    {
        var received = new ConcurrentBag<string>();
        _harness.StartBus("reminders", a => a.Handle<Reminder>(r =>
        {
            received.Add(r.Text);
            return Task.CompletedTask;
        }));
        var client = _harness.StartOneWayClient(r => r.Map<Reminder>("reminders"));

        await client.Defer(TimeSpan.FromMilliseconds(500), new Reminder("one-way"));

        Assert.True(await Eventually.TrueAsync(() => received.Count == 1), "the deferred message never arrived");
        Assert.Equal(["one-way"], received);
    }

    [Fact]
    public async Task TransportMessageDeferComesBackWithAFreshDeliveryCount()
    {
        var deliveries = new ConcurrentQueue<string>();
        IBus? bus = null;
        bus = _harness.StartBus("reminders", a => a.Handle<Reminder>(async (_, context, _) =>
        {
            deliveries.Enqueue(context.Headers[Headers.DeliveryCount]);
            if (deliveries.Count == 1)
            {
                await bus!.Advanced.TransportMessage.Defer(TimeSpan.FromMilliseconds(500));
            }
        }));

        await bus.SendLocal(new Reminder("again"));

        Assert.True(await Eventually.TrueAsync(() => deliveries.Count == 2), $"{deliveries.Count} of 2 deliveries arrived");
        Assert.Equal(["1", "1"], deliveries);
    }
}
