using System.Collections.Concurrent;

namespace RedisStreams.Rebus.Tests.Bus;

public sealed class PublishSubscribeTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(PublishSubscribeTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task EachSubscriberQueueGetsOneCopy()
    {
        var billing = new ConcurrentBag<int>();
        var shipping = new ConcurrentBag<int>();
        var billingBus = _harness.StartBus("billing", a => a.Handle<OrderPlaced>(e =>
        {
            billing.Add(e.Id);
            return Task.CompletedTask;
        }));
        var shippingBus = _harness.StartBus("shipping", a => a.Handle<OrderPlaced>(e =>
        {
            shipping.Add(e.Id);
            return Task.CompletedTask;
        }));
        await billingBus.Subscribe<OrderPlaced>();
        await shippingBus.Subscribe<OrderPlaced>();
        var publisher = _harness.StartBus("sales", _ => { });

        await publisher.Publish(new OrderPlaced(42));

        Assert.True(await Eventually.TrueAsync(() => billing.Count >= 1 && shipping.Count >= 1), $"billing {billing.Count}, shipping {shipping.Count}");

        // Give a duplicate time to show up before asserting there is none.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal([42], billing);
        Assert.Equal([42], shipping);
    }

    [Fact]
    public async Task TwoInstancesOfOneSubscriberCompeteForOneCopy()
    {
        var handled = new ConcurrentDictionary<int, int>();
        var byInstance = new ConcurrentDictionary<string, int>();
        for (var instance = 0; instance < 2; instance++)
        {
            var name = $"instance{instance}";
            var bus = _harness.StartBus("billing", a => a.Handle<OrderPlaced>(e =>
            {
                handled.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
                byInstance.AddOrUpdate(name, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            }));
            await bus.Subscribe<OrderPlaced>();
        }

        var publisher = _harness.StartOneWayClient();
        const int count = 20;
        for (var id = 0; id < count; id++)
        {
            await publisher.Publish(new OrderPlaced(id));
        }

        Assert.True(await Eventually.TrueAsync(() => handled.Count == count), $"handled {handled.Count} of {count}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.All(handled, pair => Assert.Equal(1, pair.Value));
        Assert.Equal(count, byInstance.Values.Sum());
    }
}
