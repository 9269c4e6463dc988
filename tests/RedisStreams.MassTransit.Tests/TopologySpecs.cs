using MassTransit;

namespace RedisStreams.MassTransit.Tests;

public class OrderEventConsumer : IConsumer<IOrderEvent>
{
    public Task Consume(ConsumeContext<IOrderEvent> context)
    {
        Seen.Add(context.Message.OrderId);
        return Task.CompletedTask;
    }
}

public class ExcludedEventConsumer : IConsumer<IExcludedEvent>
{
    public Task Consume(ConsumeContext<IExcludedEvent> context)
    {
        Seen.Add(context.Message.OrderId);
        return Task.CompletedTask;
    }
}

/// <summary>Consumes one message as two types; counts per type.</summary>
public class BothConsumer : IConsumer<IOrderEvent>, IConsumer<OrderSubmitted>
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> AsInterface = new();
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> AsClass = new();

    public Task Consume(ConsumeContext<IOrderEvent> context)
    {
        AsInterface.AddOrUpdate(context.Message.OrderId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<OrderSubmitted> context)
    {
        AsClass.AddOrUpdate(context.Message.OrderId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}

public class TopologySpecs
{
    [Fact]
    public async Task Polymorphic_publish_reaches_interface_consumers_each_queue_once_and_honours_exclusion()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.ReceiveEndpoint("interface-only", e => e.Consumer<OrderEventConsumer>());
            cfg.ReceiveEndpoint("both", e => e.Consumer<BothConsumer>());
            cfg.ReceiveEndpoint("excluded", e => e.Consumer<ExcludedEventConsumer>());
        });
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new OrderSubmitted(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) >= 1 && BothConsumer.AsClass.ContainsKey(id) && BothConsumer.AsInterface.ContainsKey(id))));
        await Task.Delay(1000);
        Assert.Equal(1, Seen.Count(id));
        Assert.Equal(1, BothConsumer.AsClass[id]);
        Assert.Equal(1, BothConsumer.AsInterface[id]);
        Assert.Equal(0, await bus.StreamLengthAsync("excluded"));
    }

    [Fact]
    public async Task ConfigureConsumeTopology_false_subscribes_nothing_and_manual_subscribe_is_honoured()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.ReceiveEndpoint("unsubscribed", e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Consumer<PingConsumer>();
            });
            cfg.ReceiveEndpoint("manual", e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Subscribe<PingMessage>();
            });
            cfg.ReceiveEndpoint("by-name", e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Subscribe("RedisStreams.MassTransit.Tests:PingMessage");
                e.Consumer<PingConsumer>();
            });
        });
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingMessage(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1)));
        await Task.Delay(500);
        Assert.Equal(1, Seen.Count(id));
        Assert.Equal(0, await bus.StreamLengthAsync("unsubscribed"));
        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("manual_skipped") == 1));
    }

    [Fact]
    public async Task A_message_no_consumer_on_the_endpoint_takes_goes_to_the_skipped_stream()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ping"));
        await endpoint.Send(new Unconsumed(Guid.NewGuid()));

        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("ping_skipped") == 1));
        var entry = (await bus.ReadEntriesAsync("ping_skipped")).Single();
        Assert.Equal("dead-letter", entry[MessageHeaders.Reason]);
    }
}
