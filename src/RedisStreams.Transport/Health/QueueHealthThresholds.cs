namespace RedisStreams.Transport.Health;

/// <summary>
/// When one queue makes the health check report Degraded or Unhealthy. Every threshold is optional; a queue with
/// none set is only read. A value at or above a threshold trips it.
/// </summary>
public sealed class QueueHealthThresholds
{
    /// <summary>Creates thresholds for a queue.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="group">Its consumer group; <c>null</c> for the group named after the queue (MassTransit's and Rebus's).</param>
    public QueueHealthThresholds(string queue, string? group = null)
    {
        RedisStreamsClient.ValidateQueueName(queue);
        Queue = queue;
        Group = group ?? queue;
    }

    /// <summary>The queue.</summary>
    public string Queue { get; }

    /// <summary>The consumer group whose lag and pending entries are judged.</summary>
    public string Group { get; }

    /// <summary>Messages not yet delivered to the group (its lag) at which the check reports Degraded.</summary>
    public long? DegradedLag { get; set; }

    /// <summary>Messages not yet delivered to the group (its lag) at which the check reports Unhealthy.</summary>
    public long? UnhealthyLag { get; set; }

    /// <summary>Age of the oldest unsettled message (on Redis's clock) at which the check reports Degraded.</summary>
    public TimeSpan? DegradedOldestPendingAge { get; set; }

    /// <summary>Age of the oldest unsettled message (on Redis's clock) at which the check reports Unhealthy: a stuck consumer.</summary>
    public TimeSpan? UnhealthyOldestPendingAge { get; set; }

    /// <summary>Messages in the queue's dead-letter stream at which the check reports Degraded.</summary>
    public long? DegradedDeadLetters { get; set; }

    /// <summary>Messages in the queue's dead-letter stream at which the check reports Unhealthy.</summary>
    public long? UnhealthyDeadLetters { get; set; }
}
