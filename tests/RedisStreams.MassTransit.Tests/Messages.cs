using System.Collections.Concurrent;
using MassTransit;

namespace RedisStreams.MassTransit.Tests;

public record PingMessage(Guid Id);

public record PongMessage(Guid Id);

public interface IOrderEvent
{
    Guid OrderId { get; }
}

[ExcludeFromTopology]
public interface IExcludedEvent
{
    Guid OrderId { get; }
}

public record OrderSubmitted(Guid OrderId) : IOrderEvent, IExcludedEvent;

public record Unconsumed(Guid Id);

public record FailingMessage(Guid Id);

public record BigMessage(Guid Id, byte[] Payload);

public record Keyed(Guid RunId, string Key, int Sequence);

public record SlowMessage(Guid Id, int Milliseconds);

/// <summary>Counts what consumers saw, keyed by message id, across buses and tests.</summary>
public static class Seen
{
    static readonly ConcurrentDictionary<Guid, int> Counts = new();
    static readonly ConcurrentDictionary<Guid, ConcurrentQueue<DateTime>> Times = new();

    public static void Add(Guid id)
    {
        Counts.AddOrUpdate(id, 1, (_, n) => n + 1);
        Times.GetOrAdd(id, _ => new ConcurrentQueue<DateTime>()).Enqueue(DateTime.UtcNow);
    }

    public static int Count(Guid id) => Counts.TryGetValue(id, out var n) ? n : 0;

    public static IReadOnlyList<DateTime> TimesOf(Guid id) => Times.TryGetValue(id, out var q) ? [.. q] : [];
}

public class PingConsumer : IConsumer<PingMessage>
{
    public Task Consume(ConsumeContext<PingMessage> context)
    {
        Seen.Add(context.Message.Id);
        return Task.CompletedTask;
    }
}

public class PingResponder : IConsumer<PingMessage>
{
    public Task Consume(ConsumeContext<PingMessage> context) => context.RespondAsync(new PongMessage(context.Message.Id));
}

public class FailingConsumer : IConsumer<FailingMessage>
{
    static readonly ConcurrentDictionary<Guid, ConcurrentQueue<int>> Redeliveries = new();

    public static IReadOnlyList<int> RedeliveryCounts(Guid id) => Redeliveries.TryGetValue(id, out var q) ? [.. q] : [];

    public Task Consume(ConsumeContext<FailingMessage> context)
    {
        Seen.Add(context.Message.Id);
        Redeliveries.GetOrAdd(context.Message.Id, _ => new ConcurrentQueue<int>()).Enqueue(context.GetRedeliveryCount());
        throw new InvalidOperationException($"Failing on purpose ({context.GetRetryAttempt()}/{context.GetRedeliveryCount()})");
    }
}

public class OrderSubmittedConsumer : IConsumer<OrderSubmitted>
{
    public Task Consume(ConsumeContext<OrderSubmitted> context)
    {
        Seen.Add(context.Message.OrderId);
        return Task.CompletedTask;
    }
}
