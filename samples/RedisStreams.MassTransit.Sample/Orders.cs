using System.Collections.Concurrent;
using MassTransit;

namespace RedisStreams.MassTransit.Sample;

public record SubmitOrder(Guid OrderId, string Sku);

public record OrderSubmitted(Guid OrderId, string Sku);

public record OrderShipped(Guid OrderId);

public record CheckStock(Guid OrderId, string Sku);

public record StockStatus(Guid OrderId, bool Available);

/// <summary>What arrived, for the sample's own check at the end.</summary>
public sealed class Progress
{
    public ConcurrentDictionary<Guid, bool> StockAnswers { get; } = new();

    public ConcurrentDictionary<Guid, bool> Submitted { get; } = new();

    public ConcurrentDictionary<Guid, bool> Shipped { get; } = new();

    public ConcurrentDictionary<Guid, bool> SagasCompleted { get; } = new();

    public bool IsComplete(IReadOnlyCollection<Guid> ids) =>
        ids.All(id => StockAnswers.ContainsKey(id) && Submitted.ContainsKey(id) && Shipped.ContainsKey(id) && SagasCompleted.ContainsKey(id));
}

/// <summary>Handles the command and announces the event.</summary>
public sealed class SubmitOrderConsumer(Progress progress) : IConsumer<SubmitOrder>
{
    public async Task Consume(ConsumeContext<SubmitOrder> context)
    {
        progress.Submitted.TryAdd(context.Message.OrderId, true);
        await context.Publish(new OrderSubmitted(context.Message.OrderId, context.Message.Sku));
    }
}

/// <summary>Answers stock requests.</summary>
public sealed class StockConsumer : IConsumer<CheckStock>
{
    public Task Consume(ConsumeContext<CheckStock> context) => context.RespondAsync(new StockStatus(context.Message.OrderId, true));
}

/// <summary>Ships every submitted order.</summary>
public sealed class WarehouseConsumer(Progress progress) : IConsumer<OrderSubmitted>
{
    public async Task Consume(ConsumeContext<OrderSubmitted> context)
    {
        progress.Shipped.TryAdd(context.Message.OrderId, true);
        await context.Publish(new OrderShipped(context.Message.OrderId));
    }
}

public sealed class OrderState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;
}

/// <summary>Follows an order from submitted to shipped.</summary>
public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    public OrderStateMachine(Progress progress)
    {
        InstanceState(x => x.CurrentState);
        Event(() => Submitted, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => Shipped, x => x.CorrelateById(m => m.Message.OrderId));

        Initially(
            When(Submitted).TransitionTo(AwaitingShipment),
            When(Shipped).TransitionTo(ShippedEarly));
        During(AwaitingShipment, When(Shipped).Then(x => progress.SagasCompleted.TryAdd(x.Saga.CorrelationId, true)).Finalize());
        During(ShippedEarly, When(Submitted).Then(x => progress.SagasCompleted.TryAdd(x.Saga.CorrelationId, true)).Finalize());
    }

    public State AwaitingShipment { get; private set; } = null!;

    public State ShippedEarly { get; private set; } = null!;

    public Event<OrderSubmitted> Submitted { get; private set; } = null!;

    public Event<OrderShipped> Shipped { get; private set; } = null!;
}
