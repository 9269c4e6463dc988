using MassTransit;

namespace RedisStreams.MassTransit.Tests;

public class PingConsumer : IConsumer<PingMessage>
{
    public Task Consume(ConsumeContext<PingMessage> context) => Task.CompletedTask;
}

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
        var consumed = consumer.Consumed.Select<PingMessage>(x => x.Context.Message.Id == id).ToList();
        Assert.Single(consumed);
        Assert.Equal("ping", consumed[0].Context.DestinationAddress!.AbsolutePath.Split('/')[^1]);
        Assert.Equal("redis", consumed[0].Context.DestinationAddress!.Scheme);
    }

    [Fact]
    public async Task Publish_reaches_a_configured_consumer()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingMessage(id));

        Assert.True(await bus.Harness.GetConsumerHarness<PingConsumer>().Consumed.Any<PingMessage>(x => x.Context.Message.Id == id));
    }
}
