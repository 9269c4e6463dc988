namespace RedisStreams.Transport;

/// <summary>
/// One line of the queue list: what an operator needs to see at a glance, read at bounded cost (see
/// <see cref="RedisStreamsClient.ListQueuesAsync"/>). Numbers of consumer groups are summed over the queue's groups;
/// with the usual single group named after the queue they are that group's.
/// </summary>
public sealed record QueueSummary
{
    /// <summary>The queue name, as the applications use it.</summary>
    public required string Queue { get; init; }

    /// <summary>Entries in the stream (<c>XLEN</c>): waiting plus being processed, plus kept history in retention mode.</summary>
    public required long Length { get; init; }

    /// <summary>
    /// Entries not yet delivered to a group (Redis's group lag; the largest over the groups); <c>null</c> when
    /// Redis cannot tell (entries were deleted from the middle of the stream) or no group exists yet.
    /// </summary>
    public required long? Waiting { get; init; }

    /// <summary>Entries delivered to a consumer and not yet acknowledged, over all groups.</summary>
    public required long Pending { get; init; }

    /// <summary>
    /// How long the oldest pending entry has been in the queue, on the clock of the Redis server that holds the
    /// queue (entry ids are that server's time); <c>null</c> when none is pending.
    /// </summary>
    public required TimeSpan? OldestPendingAge { get; init; }

    /// <summary>Consumer groups of the stream.</summary>
    public required int Groups { get; init; }

    /// <summary>Consumers over all groups (one per running receiver, plus <c>~returned</c> while a message is given back).</summary>
    public required long Consumers { get; init; }

    /// <summary>Messages scheduled for later delivery.</summary>
    public required long Delayed { get; init; }

    /// <summary>Entries in the queue's own dead-letter stream (crash loops, entries that are not messages).</summary>
    public required long DeadLettered { get; init; }

    /// <summary>Messages taken out of this queue by a redrive to another queue and not yet confirmed there.</summary>
    public required long InRedrive { get; init; }

    /// <summary>
    /// The framework error queue that matches this queue: MassTransit's <c>&lt;queue&gt;_error</c> when it exists,
    /// otherwise Rebus's shared <c>error</c> when it exists; <c>null</c> for queues that are error queues themselves
    /// (names ending in <c>_error</c> or <c>_skipped</c>, or <c>error</c>) and when neither exists.
    /// </summary>
    public required string? ErrorQueue { get; init; }

    /// <summary>
    /// Entries in <see cref="ErrorQueue"/> (its <c>XLEN</c>). Rebus's <c>error</c> is shared by every Rebus queue of the
    /// prefix, so this counts the failures of all of them.
    /// </summary>
    public required long? ErrorQueueDepth { get; init; }

    /// <summary>
    /// Whether the queue is named like a framework error queue: MassTransit's <c>&lt;queue&gt;_error</c> and
    /// <c>&lt;queue&gt;_skipped</c>, Rebus's <c>error</c>. Its messages go back with
    /// <see cref="RedisStreamsClient.RedriveErrorQueueAsync"/>.
    /// </summary>
    public bool IsErrorQueue => IsErrorQueueName(Queue);

    /// <summary>Messages waiting or being processed: what a queue-length gauge should show.</summary>
    public long Depth => Waiting is { } waiting ? waiting + Pending : Length;

    /// <summary>Whether <paramref name="queue"/> is named like a framework error or skipped queue.</summary>
    internal static bool IsErrorQueueName(string queue) =>
        queue == "error" || queue.EndsWith("_error", StringComparison.Ordinal) || queue.EndsWith("_skipped", StringComparison.Ordinal);
}
