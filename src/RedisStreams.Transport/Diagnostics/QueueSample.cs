namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// One look at a queue for gauges and health checks, read by <c>stats.lua</c> in one round trip on the clock of the
/// server that holds the queue.
/// </summary>
/// <param name="Length">Entries in the stream (<c>XLEN</c>).</param>
/// <param name="Lag">Entries not yet delivered to the group; <c>null</c> when Redis cannot tell or the group does not exist.</param>
/// <param name="Pending">Entries delivered to a consumer of the group and not yet settled.</param>
/// <param name="OldestPendingAge">How long the oldest pending entry has been in the queue; <c>null</c> when none is pending.</param>
/// <param name="DeadLettered">Entries in the queue's dead-letter stream.</param>
/// <param name="Delayed">Messages scheduled for later delivery.</param>
/// <param name="Consumers">Consumers of the group.</param>
internal readonly record struct QueueSample(long Length, long? Lag, long Pending, TimeSpan? OldestPendingAge, long DeadLettered, long Delayed, long Consumers)
{
    /// <summary>Messages waiting or being processed (see <see cref="QueueStatistics.Depth"/>).</summary>
    public long Depth => Lag is { } lag ? lag + Pending : Length;
}
