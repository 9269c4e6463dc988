using System.Collections.Concurrent;
using MassTransit;

namespace RedisStreams.MassTransit.Migration;

public record SubmitOrder(Guid OrderId);

public record OrderSubmitted(Guid OrderId);

public record OrderNote(Guid OrderId, string Text);

/// <summary>What arrived where, so the sample can tell whether everything did.</summary>
public sealed class Received
{
    public ConcurrentDictionary<Guid, bool> Submitted { get; } = new();

    public ConcurrentDictionary<Guid, bool> Audited { get; } = new();

    public ConcurrentDictionary<Guid, string> Notes { get; } = new();

    public bool IsComplete(Guid orderId) => Submitted.ContainsKey(orderId) && Audited.ContainsKey(orderId) && Notes.ContainsKey(orderId);
}

public sealed class SubmitOrderConsumer(Received received) : IConsumer<SubmitOrder>
{
    public async Task Consume(ConsumeContext<SubmitOrder> context)
    {
        received.Submitted.TryAdd(context.Message.OrderId, true);
        await context.Publish(new OrderSubmitted(context.Message.OrderId));
    }
}

/// <summary>Bound by hand (e.Bind) to the OrderSubmitted topic and to the order-notes exchange.</summary>
public sealed class AuditConsumer(Received received) : IConsumer<OrderSubmitted>, IConsumer<OrderNote>
{
    public Task Consume(ConsumeContext<OrderSubmitted> context)
    {
        received.Audited.TryAdd(context.Message.OrderId, true);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<OrderNote> context)
    {
        received.Notes.TryAdd(context.Message.OrderId, context.Message.Text);
        return Task.CompletedTask;
    }
}
