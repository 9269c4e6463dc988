namespace RedisStreams.MassTransit.Tests;

public record PingMessage(Guid Id);

public record PongMessage(Guid Id);

public interface IOrderEvent
{
    Guid OrderId { get; }
}

public record OrderSubmitted(Guid OrderId) : IOrderEvent;

public record Unconsumed(Guid Id);
