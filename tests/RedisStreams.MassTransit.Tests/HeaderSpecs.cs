using MassTransit;

namespace RedisStreams.MassTransit.Tests;

public class HeaderSpecs
{
    [Fact]
    public async Task Identifiers_addresses_and_custom_headers_survive_a_round_trip()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var id = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var correlationId = Guid.NewGuid();
        var conversationId = Guid.NewGuid();
        var initiatorId = Guid.NewGuid();
        var requestId = Guid.NewGuid();
        var guidHeader = Guid.NewGuid();
        var when = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var response = new Uri("queue:responses");
        var fault = new Uri("queue:faults");
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:ping"))).Send(new PingMessage(id), ctx =>
        {
            ctx.MessageId = messageId;
            ctx.CorrelationId = correlationId;
            ctx.ConversationId = conversationId;
            ctx.InitiatorId = initiatorId;
            ctx.RequestId = requestId;
            ctx.ResponseAddress = response;
            ctx.FaultAddress = fault;
            ctx.Headers.Set("Custom-Text", "hello");
            ctx.Headers.Set("Custom-Int", 42);
            ctx.Headers.Set("Custom-Guid", guidHeader);
            ctx.Headers.Set("Custom-Date", when);
        });

        var consumer = bus.Harness.GetConsumerHarness<PingConsumer>();
        Assert.True(await consumer.Consumed.Any<PingMessage>(x => x.Context.Message.Id == id));
        var context = consumer.Consumed.Select<PingMessage>(x => x.Context.Message.Id == id).Single().Context;
        Assert.Equal(messageId, context.MessageId);
        Assert.Equal(correlationId, context.CorrelationId);
        Assert.Equal(conversationId, context.ConversationId);
        Assert.Equal(initiatorId, context.InitiatorId);
        Assert.Equal(requestId, context.RequestId);
        Assert.Equal("responses", context.ResponseAddress!.AbsolutePath.Split('/')[^1]);
        Assert.Equal("faults", context.FaultAddress!.AbsolutePath.Split('/')[^1]);
        Assert.Equal("ping", context.DestinationAddress!.AbsolutePath.Split('/')[^1]);
        Assert.NotNull(context.SourceAddress);
        Assert.NotNull(context.SentTime);
        Assert.Equal("hello", context.Headers.Get<string>("Custom-Text"));
        Assert.Equal(42, context.Headers.Get<int>("Custom-Int"));
        Assert.Equal(guidHeader, context.Headers.Get<Guid>("Custom-Guid"));
        Assert.Equal(when, context.Headers.Get<DateTime>("Custom-Date")!.Value.ToUniversalTime());
    }

    [Fact]
    public async Task Headers_are_readable_stream_fields_and_carry_identifiers_for_raw_json()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType | RawSerializerOptions.CopyHeaders, isDefault: true);
            cfg.ReceiveEndpoint("raw", e => e.Consumer<PingConsumer>());
        });
        var id = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var correlationId = Guid.NewGuid();
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:raw-parked"))).Send(new PingMessage(id), ctx =>
        {
            ctx.MessageId = messageId;
            ctx.CorrelationId = correlationId;
            ctx.Headers.Set("Custom-Text", "hello");
        });
        var fields = (await bus.ReadEntriesAsync("raw-parked")).Single();
        Assert.Equal(messageId.ToString(), fields[MessageHeaders.MessageId]);
        Assert.Equal(correlationId.ToString(), fields[MessageHeaders.CorrelationId]);
        Assert.Equal("hello", fields["Custom-Text"]);
        Assert.Equal("application/json", fields[MessageHeaders.ContentType]);

        await (await bus.Bus.GetSendEndpoint(new Uri("queue:raw"))).Send(new PingMessage(id), ctx =>
        {
            ctx.MessageId = messageId;
            ctx.CorrelationId = correlationId;
            ctx.Headers.Set("Custom-Text", "hello");
        });
        Assert.True(await bus.Harness.Consumed.Any<PingMessage>(x => x.Context.Message.Id == id));
        var context = bus.Harness.Consumed.Select<PingMessage>(x => x.Context.Message.Id == id).Single().Context;
        Assert.Equal(messageId, context.MessageId);
        Assert.Equal(correlationId, context.CorrelationId);
        Assert.Equal("hello", context.Headers.Get<string>("Custom-Text"));
    }

    [Fact]
    public async Task A_large_binary_body_round_trips_byte_for_byte()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("big", e => e.Handler<BigMessage>(_ => Task.CompletedTask)));
        var payload = new byte[2 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        var id = Guid.NewGuid();
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:big"))).Send(new BigMessage(id, payload));

        Assert.True(await bus.Harness.Consumed.Any<BigMessage>(x => x.Context.Message.Id == id));
        var received = bus.Harness.Consumed.Select<BigMessage>(x => x.Context.Message.Id == id).Single().Context.Message;
        Assert.Equal(payload, received.Payload);
    }
}
