using System.Text;
using MassTransit;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Tests;

public class FaultSpecs
{
    [Fact]
    public async Task A_faulting_consumer_publishes_Fault_and_moves_the_message_to_the_error_stream_with_exception_headers()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<FailingConsumer>());
        var id = Guid.NewGuid();
        var correlationId = Guid.NewGuid();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:failing"));
        await endpoint.Send(new FailingMessage(id), ctx => ctx.CorrelationId = correlationId);

        Assert.True(await bus.Harness.Published.Any<Fault<FailingMessage>>(x => x.Context.Message.Message.Id == id));
        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("failing_error") == 1));
        var entry = (await bus.ReadEntriesAsync("failing_error")).Single();
        Assert.Equal("fault", entry[MessageHeaders.Reason]);
        Assert.Contains("Failing on purpose", entry[MessageHeaders.FaultMessage], StringComparison.Ordinal);
        Assert.Equal("System.InvalidOperationException", entry[MessageHeaders.FaultExceptionType]);
        Assert.False(string.IsNullOrEmpty(entry[MessageHeaders.FaultStackTrace]));
        Assert.Equal(correlationId.ToString(), entry[MessageHeaders.CorrelationId]);
        Assert.True(await BusFixture.EventuallyAsync(async () => (await bus.Inspector.GetQueueStatisticsAsync("failing")).Depth == 0));
    }

    [Fact]
    public async Task A_body_that_cannot_be_deserialized_goes_to_the_error_stream()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var headers = new Dictionary<string, string> { [MessageHeaders.ContentType] = "application/vnd.masstransit+json" };
        await bus.Inspector.SendAsync("ping", new OutgoingMessage(headers, Encoding.UTF8.GetBytes("{ this is not json")));

        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("ping_error") == 1));
        var entry = (await bus.ReadEntriesAsync("ping_error")).Single();
        Assert.Equal("{ this is not json", entry["$body"]);
        Assert.True(entry.ContainsKey(MessageHeaders.FaultExceptionType));
    }

    [Fact]
    public async Task UseMessageRetry_makes_the_exact_number_of_attempts_then_faults()
    {
        await using var bus = await BusFixture.StartAsync(x =>
        {
            x.AddConsumer<FailingConsumer>();
            x.AddConfigureEndpointsCallback((_, _, cfg) => cfg.UseMessageRetry(r => r.Immediate(3)));
        });
        var id = Guid.NewGuid();
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:failing"))).Send(new FailingMessage(id));

        Assert.True(await bus.Harness.Published.Any<Fault<FailingMessage>>(x => x.Context.Message.Message.Id == id));
        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("failing_error") == 1));
        Assert.Equal(4, Seen.Count(id));
    }

    [Fact]
    public async Task UseDelayedRedelivery_redelivers_with_increasing_counts_and_delays_then_faults()
    {
        await using var bus = await BusFixture.StartAsync(x =>
        {
            x.AddConsumer<FailingConsumer>();
            x.AddConfigureEndpointsCallback((_, _, cfg) => cfg.UseDelayedRedelivery(r => r.Intervals(TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(700))));
        });
        var id = Guid.NewGuid();
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:failing"))).Send(new FailingMessage(id));

        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("failing_error") == 1, TimeSpan.FromSeconds(15)), $"seen {Seen.Count(id)} delayed {(await bus.Inspector.GetQueueStatisticsAsync("failing")).Delayed} depth {(await bus.Inspector.GetQueueStatisticsAsync("failing")).Depth}");
        Assert.Equal(3, Seen.Count(id));
        var times = Seen.TimesOf(id);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(600), $"second attempt after {times[1] - times[0]}");
        Assert.True(times[2] - times[1] >= TimeSpan.FromMilliseconds(600), $"third attempt after {times[2] - times[1]}");

        Assert.Equal([0, 1, 2], FailingConsumer.RedeliveryCounts(id));
        var entry = (await bus.ReadEntriesAsync("failing_error")).Single();
        Assert.Equal("2", entry[MessageHeaders.RedeliveryCount]);
    }

    [Fact]
    public async Task Fault_of_a_message_is_delivered_to_a_Fault_consumer()
    {
        await using var bus = await BusFixture.StartAsync(x =>
        {
            x.AddConsumer<FailingConsumer>();
            x.AddConsumer<FaultConsumer>();
        });
        var id = Guid.NewGuid();
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:failing"))).Send(new FailingMessage(id));

        Assert.True(await bus.Harness.GetConsumerHarness<FaultConsumer>().Consumed.Any<Fault<FailingMessage>>(x => x.Context.Message.Message.Id == id));
    }
}

public class FaultConsumer : IConsumer<Fault<FailingMessage>>
{
    public Task Consume(ConsumeContext<Fault<FailingMessage>> context) => Task.CompletedTask;
}
