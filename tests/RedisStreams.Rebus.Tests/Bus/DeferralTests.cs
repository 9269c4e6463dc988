using System.Collections.Concurrent;
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
}
