using System.Collections.Concurrent;
using Rebus.Routing.TypeBased;

namespace RedisStreams.Rebus.Tests.Bus;

public sealed class SendReceiveTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(SendReceiveTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task MessageSentByOneBusIsHandledByAnother()
    {
        var received = new ConcurrentBag<int>();
        _harness.StartBus("receiver", a => a.Handle<Ping>(ping =>
        {
            received.Add(ping.Id);
            return Task.CompletedTask;
        }));
        var sender = _harness.StartBus("sender", _ => { }, routes: r => r.Map<Ping>("receiver"));

        await sender.Send(new Ping(1));
        await sender.Send(new Ping(2));

        Assert.True(await Eventually.TrueAsync(() => received.Count == 2), $"received {received.Count} of 2");
        Assert.Equal([1, 2], received.Order());
    }

    [Fact]
    public async Task OneWayClientSendsAndPublishes()
    {
        var pings = new ConcurrentBag<int>();
        var orders = new ConcurrentBag<int>();
        var subscriber = _harness.StartBus("orders", a =>
        {
            a.Handle<Ping>(ping =>
            {
                pings.Add(ping.Id);
                return Task.CompletedTask;
            });
            a.Handle<OrderPlaced>(order =>
            {
                orders.Add(order.Id);
                return Task.CompletedTask;
            });
        });
        await subscriber.Subscribe<OrderPlaced>();
        var client = _harness.StartOneWayClient(r => r.Map<Ping>("orders"));

        await client.Send(new Ping(7));
        await client.Publish(new OrderPlaced(8));

        Assert.True(await Eventually.TrueAsync(() => pings.Count == 1 && orders.Count == 1), $"pings {pings.Count}, orders {orders.Count}");
        Assert.Equal([7], pings);
        Assert.Equal([8], orders);
    }
}
