using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Courier.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace RedisStreams.MassTransit.Tests;

/// <summary>The event a routing slip subscription sends instead of <see cref="RoutingSlipCompleted"/>.</summary>
public class StampsDone
{
    public Guid TrackingNumber { get; set; }

    public string Note { get; set; } = string.Empty;
}

public class StampsDoneConsumer : IConsumer<StampsDone>
{
    public static readonly ConcurrentDictionary<Guid, StampsDone> Received = new();

    public Task Consume(ConsumeContext<StampsDone> context)
    {
        Received[context.Message.TrackingNumber] = context.Message;
        return Task.CompletedTask;
    }
}

/// <summary>
/// Every serializer MassTransit ships in its package (the System.Text.Json envelope and raw JSON) may change the send
/// context while it builds the body; the transport reads the headers only after that.
/// </summary>
public class SerializerSpecs
{
    public static TheoryData<string> Serializers => ["envelope", "raw"];

    [Theory]
    [MemberData(nameof(Serializers))]
    public async Task A_routing_slip_subscription_with_a_custom_event_reaches_its_consumer(string serializer)
    {
        await using var bus = await BusFixture.StartAsync(
            x => x.AddActivity<StampActivity, StampArguments, StampLog>(),
            (_, cfg) =>
            {
                if (serializer == "raw")
                {
                    // Raw JSON's defaults: consumers check MT-MessageType against the types they consume.
                    cfg.UseRawJsonSerializer(isDefault: true);
                }

                cfg.ReceiveEndpoint("stamps-done", e => e.Consumer<StampsDoneConsumer>());
            });
        var formatter = bus.Provider.GetRequiredService<IEndpointNameFormatter>();
        var executeAddress = new Uri($"queue:{formatter.ExecuteActivity<StampActivity, StampArguments>()}");
        var builder = new RoutingSlipBuilder(NewId.NextGuid());
        builder.AddActivity("first", executeAddress, new StampArguments(Guid.NewGuid()));
        builder.AddActivity("second", executeAddress, new StampArguments(Guid.NewGuid()));
        await builder.AddSubscription(
            new Uri("queue:stamps-done"),
            RoutingSlipEvents.Completed,
            RoutingSlipEventContents.None,
            x => x.Send<StampsDone>(new { Note = $"done with {serializer}" }));
        var slip = builder.Build();

        await bus.Bus.Execute(slip);

        if (!await BusFixture.EventuallyAsync(() => Task.FromResult(StampsDoneConsumer.Received.ContainsKey(slip.TrackingNumber))))
        {
            var skipped = await bus.ReadEntriesAsync("stamps-done_skipped");
            Assert.Fail(
                $"the custom completed event never reached its consumer with the {serializer} serializer; " +
                $"skipped with MT-MessageType: [{string.Join(" | ", skipped.Select(e => e.GetValueOrDefault(MessageHeaders.MessageType)))}]");
        }

        Assert.Equal($"done with {serializer}", StampsDoneConsumer.Received[slip.TrackingNumber].Note);
        Assert.Equal(0, await bus.StreamLengthAsync("stamps-done_skipped"));
    }

    [Theory]
    [MemberData(nameof(Serializers))]
    public async Task The_receive_context_carries_the_time_redis_took_the_message(string serializer)
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            if (serializer == "raw")
            {
                cfg.UseRawJsonSerializer(isDefault: true);
            }

            cfg.ReceiveEndpoint("timed", e => e.Consumer<PingConsumer>());
        });
        var id = Guid.NewGuid();
        var before = DateTime.UtcNow;
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:timed"))).Send(new PingMessage(id));
        var after = DateTime.UtcNow;

        Assert.True(await bus.Harness.Consumed.Any<PingMessage>(x => x.Context.Message.Id == id));
        var context = bus.Harness.Consumed.Select<PingMessage>(x => x.Context.Message.Id == id).Single().Context;
        var sent = context.ReceiveContext.GetSentTime();
        Assert.NotNull(sent);
        Assert.Equal(DateTimeKind.Utc, sent.Value.Kind);

        // Redis's clock and this process's are the same machine's; a second covers the millisecond rounding.
        Assert.InRange(sent.Value, before - TimeSpan.FromSeconds(1), after + TimeSpan.FromSeconds(1));
    }
}
