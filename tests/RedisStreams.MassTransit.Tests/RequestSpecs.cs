using MassTransit;

namespace RedisStreams.MassTransit.Tests;

public record CheckOrder(Guid Id);

public record OrderChecked(Guid Id, Guid PongId);

public class FaultyResponder : IConsumer<FailingMessage>
{
    public Task Consume(ConsumeContext<FailingMessage> context) => throw new InvalidOperationException("The service failed");
}

/// <summary>Makes a request of its own while consuming, then responds.</summary>
public class CheckOrderConsumer : IConsumer<CheckOrder>
{
    readonly IRequestClient<PingMessage> _client;

    public CheckOrderConsumer(IRequestClient<PingMessage> client)
    {
        _client = client;
    }

    public async Task Consume(ConsumeContext<CheckOrder> context)
    {
        var pong = await _client.GetResponse<PongMessage>(new PingMessage(Guid.NewGuid()), context.CancellationToken);
        await context.RespondAsync(new OrderChecked(context.Message.Id, pong.Message.Id));
    }
}

public class RequestSpecs
{
    [Fact]
    public async Task Request_gets_the_response_through_the_bus_temporary_endpoint()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingResponder>());
        var client = bus.Harness.GetRequestClient<PingMessage>();
        var id = Guid.NewGuid();
        var conversation = Guid.NewGuid();

        var response = await client.GetResponse<PongMessage>(new PingMessage(id), x => x.UseExecute(ctx => ctx.ConversationId = conversation));

        Assert.Equal(id, response.Message.Id);
        Assert.Equal(conversation, response.ConversationId);
        Assert.Equal("redis", response.SourceAddress!.Scheme);
    }

    [Fact]
    public async Task A_faulting_service_faults_the_request()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<FaultyResponder>());
        var client = bus.Harness.GetRequestClient<FailingMessage>();

        var exception = await Assert.ThrowsAsync<RequestFaultException>(() => client.GetResponse<PongMessage>(new FailingMessage(Guid.NewGuid())));
        Assert.Contains("The service failed", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_to_a_missing_service_times_out()
    {
        await using var bus = await BusFixture.StartAsync();
        var client = bus.Bus.CreateRequestClient<PingMessage>(new Uri("queue:nobody-home"), RequestTimeout.After(s: 2));

        await Assert.ThrowsAsync<RequestTimeoutException>(() => client.GetResponse<PongMessage>(new PingMessage(Guid.NewGuid())));
    }

    [Fact]
    public async Task A_consumer_can_use_a_request_client_and_respond()
    {
        await using var bus = await BusFixture.StartAsync(x =>
        {
            x.AddConsumer<PingResponder>();
            x.AddConsumer<CheckOrderConsumer>();
            x.AddRequestClient<PingMessage>();
        });
        var client = bus.Harness.GetRequestClient<CheckOrder>();
        var id = Guid.NewGuid();

        var response = await client.GetResponse<OrderChecked>(new CheckOrder(id));

        Assert.Equal(id, response.Message.Id);
        Assert.NotEqual(Guid.Empty, response.Message.PongId);
    }
}
