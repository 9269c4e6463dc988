namespace RedisStreams.Transport.Health;

/// <summary>What <see cref="RedisStreamsHealthCheck"/> judges besides the connection and the client's receivers.</summary>
public sealed class RedisStreamsHealthCheckOptions
{
    readonly List<QueueHealthThresholds> _queues = [];

    /// <summary>The queues with thresholds, in the order added.</summary>
    public IReadOnlyList<QueueHealthThresholds> Queues => _queues;

    /// <summary>
    /// Judges a queue: its lag, the age of its oldest unsettled message and its dead-letter depth, each read in one
    /// round trip per check (all queues pipelined).
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="configure">Sets the thresholds.</param>
    /// <param name="group">Its consumer group; <c>null</c> for the group named after the queue.</param>
    /// <returns>These options, for chaining.</returns>
    public RedisStreamsHealthCheckOptions AddQueue(string queue, Action<QueueHealthThresholds> configure, string? group = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var thresholds = new QueueHealthThresholds(queue, group);
        configure(thresholds);
        _queues.Add(thresholds);
        return this;
    }
}
