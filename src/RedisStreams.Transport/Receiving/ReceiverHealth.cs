namespace RedisStreams.Transport;

/// <summary>Whether a receiver's loop is talking to Redis, for health checks.</summary>
/// <param name="IsHealthy"><c>true</c> when the last look at the queue succeeded.</param>
/// <param name="Description">What is wrong, or <c>null</c> when healthy.</param>
/// <param name="Since">When the receiver entered its current state.</param>
public sealed record ReceiverHealth(bool IsHealthy, string? Description, DateTimeOffset Since);
