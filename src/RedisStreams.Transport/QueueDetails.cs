namespace RedisStreams.Transport;

/// <summary>Everything about one queue an operator looks at when something is stuck: its summary, groups and consumers.</summary>
public sealed record QueueDetails
{
    /// <summary>The queue's numbers, as in the queue list.</summary>
    public required QueueSummary Summary { get; init; }

    /// <summary>The stream's consumer groups, by name.</summary>
    public required IReadOnlyList<ConsumerGroupDetails> Groups { get; init; }

    /// <summary>Id of the oldest entry in the stream; <c>null</c> when it is empty.</summary>
    public required string? FirstEntryId { get; init; }

    /// <summary>Id of the newest entry in the stream; <c>null</c> when it is empty.</summary>
    public required string? LastEntryId { get; init; }

    /// <summary>When the next scheduled message is due, on the server's clock; <c>null</c> when none is scheduled.</summary>
    public required DateTimeOffset? NextDelayedDue { get; init; }
}

/// <summary>One consumer group of a queue.</summary>
public sealed record ConsumerGroupDetails
{
    /// <summary>The group name (the endpoint; by default the queue name).</summary>
    public required string Name { get; init; }

    /// <summary>Entries delivered to the group's consumers and not yet acknowledged.</summary>
    public required long Pending { get; init; }

    /// <summary>Entries not yet delivered to the group; <c>null</c> when Redis cannot tell.</summary>
    public required long? Waiting { get; init; }

    /// <summary>The id of the last entry delivered to the group.</summary>
    public required string LastDeliveredId { get; init; }

    /// <summary>Id of the oldest entry the group's consumers hold; <c>null</c> when none is pending.</summary>
    public required string? OldestPendingId { get; init; }

    /// <summary>How long the oldest pending entry has been in the queue, on the server's clock.</summary>
    public required TimeSpan? OldestPendingAge { get; init; }

    /// <summary>The group's consumers with what each holds and how long it has been silent.</summary>
    public required IReadOnlyList<ConsumerStatistics> Consumers { get; init; }
}
