namespace RedisStreams.Transport;

/// <summary>A snapshot of one queue, as <see cref="RedisStreamsClient.GetQueueStatisticsAsync"/> reads it.</summary>
public sealed record QueueStatistics
{
    /// <summary>The queue.</summary>
    public required string Queue { get; init; }

    /// <summary>Entries in the stream (<c>XLEN</c>): waiting plus being processed, plus kept history in retention mode.</summary>
    public required long Length { get; init; }

    /// <summary>Entries not yet delivered to the group (Redis's group lag); <c>null</c> when Redis cannot tell.</summary>
    public required long? Waiting { get; init; }

    /// <summary>Entries delivered to a consumer and not yet acknowledged.</summary>
    public required long Pending { get; init; }

    /// <summary>
    /// Age of the oldest pending entry, from its id, on the Redis server's clock (the clock that stamped the id),
    /// so a client whose clock is off still reads the right age; <c>null</c> when none is pending.
    /// </summary>
    public required TimeSpan? OldestPendingAge { get; init; }

    /// <summary>The consumers of the group.</summary>
    public required IReadOnlyList<ConsumerStatistics> Consumers { get; init; }

    /// <summary>Entries in the queue's dead-letter stream.</summary>
    public required long DeadLettered { get; init; }

    /// <summary>Messages scheduled for later delivery.</summary>
    public required long Delayed { get; init; }

    /// <summary>Messages waiting or being processed: what a queue-length gauge should show.</summary>
    public long Depth => Waiting is { } waiting ? waiting + Pending : Length;
}

/// <summary>One consumer of a queue's group.</summary>
/// <param name="Name">The consumer name (one per running receiver).</param>
/// <param name="Pending">Entries it holds.</param>
/// <param name="Idle">Time since it last talked to Redis about the queue.</param>
public sealed record ConsumerStatistics(string Name, long Pending, TimeSpan Idle);
