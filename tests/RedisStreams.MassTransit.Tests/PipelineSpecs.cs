using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Courier.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace RedisStreams.MassTransit.Tests;

public class PingBatchConsumer : IConsumer<Batch<PingMessage>>
{
    public static readonly ConcurrentQueue<int> Sizes = new();

    public Task Consume(ConsumeContext<Batch<PingMessage>> context)
    {
        Sizes.Enqueue(context.Message.Length);
        foreach (var message in context.Message)
        {
            Seen.Add(message.Message.Id);
        }

        return Task.CompletedTask;
    }
}

public class KeyedConsumer : IConsumer<Keyed>
{
    public static readonly ConcurrentDictionary<(Guid, string), ConcurrentQueue<int>> Order = new();
    static readonly ConcurrentDictionary<(Guid, string), int> Active = new();
    public static int Overlaps;

    public async Task Consume(ConsumeContext<Keyed> context)
    {
        var key = (context.Message.RunId, context.Message.Key);
        if (Active.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref Overlaps);
        }

        await Task.Delay(20);
        Order.GetOrAdd(key, _ => new ConcurrentQueue<int>()).Enqueue(context.Message.Sequence);
        Active.AddOrUpdate(key, 0, (_, n) => n - 1);
    }
}

public record StartOrder(Guid OrderId);

public record OrderAccepted(Guid OrderId);

public class OrderState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    public int Events { get; set; }
}

public class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    public OrderStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => Accepted, x => x.CorrelateById(m => m.Message.OrderId));
        Initially(When(Started).Then(x => x.Saga.Events++).TransitionTo(Submitted));
        During(Submitted, When(Accepted).Then(x => x.Saga.Events++).TransitionTo(Done));
    }

    public State Submitted { get; private set; } = null!;

    public State Done { get; private set; } = null!;

    public Event<StartOrder> Started { get; private set; } = null!;

    public Event<OrderAccepted> Accepted { get; private set; } = null!;
}

/// <summary>Publishes, then fails on the first attempt: the outbox must hold the first attempt's publish back.</summary>
public class OutboxConsumer : IConsumer<FailingMessage>
{
    static readonly ConcurrentDictionary<Guid, int> Attempts = new();

    public async Task Consume(ConsumeContext<FailingMessage> context)
    {
        await context.Publish(new PongMessage(context.Message.Id));
        if (Attempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1) == 1)
        {
            throw new InvalidOperationException("first attempt fails after publishing");
        }
    }
}

public class PongConsumer : IConsumer<PongMessage>
{
    public Task Consume(ConsumeContext<PongMessage> context)
    {
        Seen.Add(context.Message.Id);
        return Task.CompletedTask;
    }
}

public record StampArguments(Guid Id);

public record StampLog(Guid Id);

public class StampActivity : IActivity<StampArguments, StampLog>
{
    public Task<ExecutionResult> Execute(ExecuteContext<StampArguments> context)
    {
        Seen.Add(context.Arguments.Id);
        return Task.FromResult(context.Completed(new StampLog(context.Arguments.Id)));
    }

    public Task<CompensationResult> Compensate(CompensateContext<StampLog> context) => Task.FromResult(context.Compensated());
}

public class PipelineSpecs
{
    [Fact]
    public async Task Batch_consumer_receives_messages_in_batches()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingBatchConsumer>(c => c.Options<BatchOptions>(o => o.SetMessageLimit(10).SetTimeLimit(TimeSpan.FromMilliseconds(500)))));
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ping-batch"));
        await endpoint.SendBatch(ids.Select(id => new PingMessage(id)));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(ids.All(id => Seen.Count(id) == 1))));
        Assert.Contains(PingBatchConsumer.Sizes, size => size > 1);
    }

    [Fact]
    public async Task UsePartitioner_keeps_messages_with_one_key_in_order_and_never_concurrent()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("partitioned", e =>
        {
            e.PrefetchCount = 16;
            e.ConcurrentMessageLimit = 8;
            e.Consumer<KeyedConsumer>(c => c.Message<Keyed>(m => m.UsePartitioner(8, x => x.Message.Key)));
        }));
        var run = Guid.NewGuid();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:partitioned"));
        var keys = new[] { "a", "b", "c" };
        for (var i = 0; i < 10; i++)
        {
            foreach (var key in keys)
            {
                await endpoint.Send(new Keyed(run, key, i));
            }
        }

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(keys.All(k => KeyedConsumer.Order.TryGetValue((run, k), out var q) && q.Count == 10))));
        foreach (var key in keys)
        {
            Assert.Equal(Enumerable.Range(0, 10), KeyedConsumer.Order[(run, key)]);
        }

        Assert.Equal(0, Volatile.Read(ref KeyedConsumer.Overlaps));
    }

    [Fact]
    public async Task A_saga_state_machine_correlates_events_across_messages()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddSagaStateMachine<OrderStateMachine, OrderState>().InMemoryRepository());
        var orderId = Guid.NewGuid();
        await bus.Bus.Publish(new StartOrder(orderId));
        var saga = bus.Harness.GetSagaStateMachineHarness<OrderStateMachine, OrderState>();
        Assert.NotNull(await saga.Exists(orderId, m => m.Submitted));

        await bus.Bus.Publish(new OrderAccepted(orderId));
        Assert.NotNull(await saga.Exists(orderId, m => m.Done));
        Assert.Equal(2, saga.Sagas.Contains(orderId)!.Events);
    }

    [Fact]
    public async Task The_in_memory_outbox_publishes_only_what_the_successful_attempt_published()
    {
        await using var bus = await BusFixture.StartAsync(x =>
        {
            x.AddConsumer<OutboxConsumer>();
            x.AddConsumer<PongConsumer>();
            x.AddConfigureEndpointsCallback((context, _, cfg) =>
            {
                cfg.UseMessageRetry(r => r.Immediate(2));
                cfg.UseInMemoryOutbox(context);
            });
        });
        var id = Guid.NewGuid();
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:outbox"))).Send(new FailingMessage(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1)));
        await Task.Delay(1000);
        Assert.Equal(1, Seen.Count(id));
    }

    [Fact]
    public async Task A_routing_slip_executes_its_activities_and_completes()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddActivity<StampActivity, StampArguments, StampLog>());
        var formatter = bus.Provider.GetRequiredService<IEndpointNameFormatter>();
        var executeAddress = new Uri($"queue:{formatter.ExecuteActivity<StampActivity, StampArguments>()}");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var builder = new RoutingSlipBuilder(NewId.NextGuid());
        builder.AddActivity("first", executeAddress, new StampArguments(first));
        builder.AddActivity("second", executeAddress, new StampArguments(second));
        var slip = builder.Build();

        await bus.Bus.Execute(slip);

        Assert.True(await bus.Harness.Published.Any<RoutingSlipCompleted>(x => x.Context.Message.TrackingNumber == slip.TrackingNumber));
        Assert.Equal(1, Seen.Count(first));
        Assert.Equal(1, Seen.Count(second));
    }
}
