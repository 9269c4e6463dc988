using MassTransit;

namespace RedisStreams.MassTransit.Tests;

public class SendPublishSpecs
{
    [Fact]
    public async Task Send_to_a_queue_short_address_is_consumed_once()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var id = Guid.NewGuid();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ping"));
        await endpoint.Send(new PingMessage(id));

        var consumer = bus.Harness.GetConsumerHarness<PingConsumer>();
        Assert.True(await consumer.Consumed.Any<PingMessage>(x => x.Context.Message.Id == id));
        var consumed = consumer.Consumed.Select<PingMessage>(x => x.Context.Message.Id == id).Single();
        Assert.Equal("redis", consumed.Context.DestinationAddress!.Scheme);
        Assert.Equal("ping", consumed.Context.DestinationAddress.AbsolutePath.Split('/')[^1]);
        Assert.True(await BusFixture.EventuallyAsync(async () => (await bus.Inspector.GetQueueStatisticsAsync("ping")).Pending == 0));
        Assert.Equal(1, Seen.Count(id));
    }

    [Fact]
    public async Task Many_sends_are_each_consumed_exactly_once_and_nothing_stays_pending()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var ids = Enumerable.Range(0, 500).Select(_ => Guid.NewGuid()).ToList();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ping"));
        await Task.WhenAll(ids.Select(id => endpoint.Send(new PingMessage(id))));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(ids.All(id => Seen.Count(id) >= 1)), TimeSpan.FromSeconds(60)));
        Assert.True(await BusFixture.EventuallyAsync(async () => (await bus.Inspector.GetQueueStatisticsAsync("ping")).Depth == 0));
        Assert.All(ids, id => Assert.Equal(1, Seen.Count(id)));
    }

    [Fact]
    public async Task Publish_reaches_a_configured_consumer()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingMessage(id));

        Assert.True(await bus.Harness.GetConsumerHarness<PingConsumer>().Consumed.Any<PingMessage>(x => x.Context.Message.Id == id));
    }

    [Fact]
    public async Task Publish_fans_out_to_every_subscribed_endpoint()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.ReceiveEndpoint("orders-a", e => e.Consumer<OrderSubmittedConsumer>());
            cfg.ReceiveEndpoint("orders-b", e => e.Consumer<OrderSubmittedConsumer>());
            cfg.ReceiveEndpoint("orders-c", e => e.Consumer<OrderSubmittedConsumer>());
        });
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new OrderSubmitted(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 3)));
        await Task.Delay(500);
        Assert.Equal(3, Seen.Count(id));
    }

    [Fact]
    public async Task Competing_consumers_on_one_endpoint_each_get_a_share_and_no_copies()
    {
        await using var first = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("shared", e => e.Consumer<OrderSubmittedConsumer>()));
        await using var second = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("shared", e => e.Consumer<OrderSubmittedConsumer>()), prefix: first.Prefix);
        var ids = Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            await first.Bus.Publish(new OrderSubmitted(id));
        }

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(ids.All(id => Seen.Count(id) >= 1))));
        await Task.Delay(500);
        Assert.All(ids, id => Assert.Equal(1, Seen.Count(id)));
        var consumers = (await first.Inspector.GetQueueStatisticsAsync("shared")).Consumers;
        Assert.Equal(2, consumers.Count);
    }

    [Fact]
    public async Task Publish_without_a_subscriber_succeeds_and_creates_no_stream()
    {
        await using var bus = await BusFixture.StartAsync();
        await bus.Bus.Publish(new Unconsumed(Guid.NewGuid()));

        var keys = await bus.KeysAsync();
        Assert.DoesNotContain(keys, k => k.Contains("Unconsumed", StringComparison.Ordinal));
    }
}
