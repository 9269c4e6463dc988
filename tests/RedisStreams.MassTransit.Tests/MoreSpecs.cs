using System.Collections.Concurrent;
using MassTransit;

namespace RedisStreams.MassTransit.Tests;

public record DeferredWork(Guid Id);

/// <summary>Asks for its message again later the first time it sees it.</summary>
public class RedeliveringConsumer : IConsumer<DeferredWork>
{
    public static readonly ConcurrentDictionary<Guid, ConcurrentQueue<(int Redelivery, DateTime At)>> Deliveries = new();

    public async Task Consume(ConsumeContext<DeferredWork> context)
    {
        var redelivery = context.GetRedeliveryCount();
        Deliveries.GetOrAdd(context.Message.Id, _ => new ConcurrentQueue<(int, DateTime)>()).Enqueue((redelivery, DateTime.UtcNow));
        if (redelivery == 0)
        {
            await context.Redeliver(TimeSpan.FromMilliseconds(800));
        }
    }
}

public class MoreSpecs
{
    [Fact]
    public async Task Redeliver_brings_the_message_back_after_the_delay_with_a_redelivery_count()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<RedeliveringConsumer>(), (_, cfg) => cfg.UseDelayedMessageScheduler());
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new DeferredWork(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(RedeliveringConsumer.Deliveries.TryGetValue(id, out var q) && q.Count == 2)));
        var deliveries = RedeliveringConsumer.Deliveries[id].ToList();
        Assert.Equal(0, deliveries[0].Redelivery);
        Assert.Equal(1, deliveries[1].Redelivery);
        Assert.True(deliveries[1].At - deliveries[0].At >= TimeSpan.FromMilliseconds(700));
    }

    [Fact]
    public async Task Fifty_endpoints_start_and_each_receives_a_published_message()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            for (var i = 0; i < 50; i++)
            {
                cfg.ReceiveEndpoint($"many-{i}", e =>
                {
                    e.PrefetchCount = 2;
                    e.Consumer<OrderSubmittedConsumer>();
                });
            }
        });
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new OrderSubmitted(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 50), TimeSpan.FromSeconds(30)));
    }
}
