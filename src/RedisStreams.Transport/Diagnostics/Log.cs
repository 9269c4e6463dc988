using Microsoft.Extensions.Logging;

namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// Every log line of the engine, with stable event ids (1000 range). The method names are the event names;
/// treat both as public. No message ever carries a connection string or password.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Receiver {ConsumerName} started on queue {Queue} (group {ConsumerGroup}, prefetch {PrefetchCount})")]
    public static partial void ReceiverStarted(this ILogger logger, string queue, string consumerGroup, string consumerName, int prefetchCount);

    [LoggerMessage(1001, LogLevel.Information, "Receiver {ConsumerName} stopped on queue {Queue}; {Released} held message(s) given back")]
    public static partial void ReceiverStopped(this ILogger logger, string queue, string consumerName, int released);

    [LoggerMessage(1002, LogLevel.Warning, "Queue {Queue} or its group {ConsumerGroup} had vanished and was created again")]
    public static partial void Reprovisioned(this ILogger logger, string queue, string consumerGroup);

    [LoggerMessage(1003, LogLevel.Warning, "Receiving from queue {Queue} failed; retrying in {RetryDelay}")]
    public static partial void FetchFailed(this ILogger logger, Exception exception, string queue, TimeSpan retryDelay);

    [LoggerMessage(1004, LogLevel.Information, "Receiving from queue {Queue} works again after {Failures} failure(s)")]
    public static partial void FetchRecovered(this ILogger logger, string queue, int failures);

    [LoggerMessage(1005, LogLevel.Warning, "Took over {Count} message(s) of queue {Queue} from consumers silent for over {ClaimIdleTime}")]
    public static partial void Reclaimed(this ILogger logger, string queue, int count, TimeSpan claimIdleTime);

    [LoggerMessage(1006, LogLevel.Error, "Moved {Count} message(s) of queue {Queue} to its dead-letter stream: delivered more than {MaxDeliveryCount} times")]
    public static partial void DeadLetteredCrashLoop(this ILogger logger, string queue, int count, int maxDeliveryCount);

    [LoggerMessage(1007, LogLevel.Error, "Moved entry {EntryId} of queue {Queue} to its dead-letter stream: {Reason}")]
    public static partial void DeadLettered(this ILogger logger, string queue, string entryId, string reason);

    [LoggerMessage(1008, LogLevel.Warning, "Another consumer took over {Count} message(s) of queue {Queue} that {ConsumerName} was still holding; they may be processed twice")]
    public static partial void LostOwnership(this ILogger logger, string queue, string consumerName, int count);

    [LoggerMessage(1009, LogLevel.Warning, "Background task {Task} of queue {Queue} failed; it carries on")]
    public static partial void MaintenanceFailed(this ILogger logger, Exception exception, string task, string queue);

    [LoggerMessage(1010, LogLevel.Debug, "Removed {Count} silent consumer(s) holding nothing from group {ConsumerGroup} of queue {Queue}")]
    public static partial void ConsumersRemoved(this ILogger logger, string queue, string consumerGroup, long count);

    [LoggerMessage(1011, LogLevel.Debug, "Discarded {Count} expired message(s) of queue {Queue}")]
    public static partial void ExpiredDiscarded(this ILogger logger, string queue, int count);

    [LoggerMessage(1012, LogLevel.Warning, "Acknowledging or giving back message(s) of queue {Queue} failed (attempt {Attempt}); retrying")]
    public static partial void SettleRetry(this ILogger logger, Exception exception, string queue, int attempt);

    [LoggerMessage(1013, LogLevel.Debug, "Trimmed {Count} acknowledged entries from queue {Queue}")]
    public static partial void Trimmed(this ILogger logger, string queue, long count);

    [LoggerMessage(1014, LogLevel.Information, "Connecting to Redis at {Endpoints}")]
    public static partial void Connecting(this ILogger logger, string endpoints);

    [LoggerMessage(1015, LogLevel.Warning, "Redis at {Endpoints} is not reachable yet; reconnecting in the background")]
    public static partial void NotReachableYet(this ILogger logger, Exception exception, string endpoints);

    [LoggerMessage(1016, LogLevel.Warning, "Acknowledging entry {EntryId} of queue {Queue} failed through every retry; it is delivered again after the claim idle time")]
    public static partial void BackgroundAckFailed(this ILogger logger, Exception exception, string queue, string entryId);

    [LoggerMessage(1020, LogLevel.Debug, "Writing to {Destination} at {Endpoint} failed (attempt {Attempt}): {Cause}; retrying")]
    public static partial void WriteRetry(this ILogger logger, string destination, string endpoint, int attempt, string cause);

    [LoggerMessage(1021, LogLevel.Warning, "Writing to {Destination} at {Endpoint} failed for {Elapsed}; the caller gets RedisStreamsUnavailableException. Check that Redis is up and a primary is serving")]
    public static partial void WriteGaveUp(this ILogger logger, Exception? exception, string destination, string endpoint, TimeSpan elapsed);

    [LoggerMessage(1022, LogLevel.Warning, "Redis at {Endpoint} is out of memory and refused a write to {Destination}: let consumers drain their queues or raise maxmemory")]
    public static partial void OutOfMemory(this ILogger logger, string destination, string endpoint);

    [LoggerMessage(1023, LogLevel.Debug, "WAIT on {Endpoint} confirmed {Confirmed} of {Required} replica(s); asking again")]
    public static partial void ReplicationShort(this ILogger logger, string endpoint, int confirmed, int required);

    [LoggerMessage(1024, LogLevel.Warning, "Writing to {Destination} is not durable: WAIT on {Endpoint} confirmed {Confirmed} of {Required} required replica(s); a failover could erase it. Check the replicas (INFO replication)")]
    public static partial void ReplicationFailed(this ILogger logger, string destination, string endpoint, int confirmed, int required);

    [LoggerMessage(1025, LogLevel.Error, "Redis at {Endpoint} runs maxmemory-policy {Policy}, which evicts queues under memory pressure (messages lost with no error); refusing to run. Set it to noeviction (CONFIG SET maxmemory-policy noeviction and in redis.conf)")]
    public static partial void EvictionPolicyRefused(this ILogger logger, string endpoint, string policy);

    [LoggerMessage(1026, LogLevel.Warning, "Redis at {Endpoint} runs maxmemory-policy {Policy}, which evicts queues under memory pressure: messages can be lost with no error. Running anyway because AllowEvictingPolicy is set; set the policy to noeviction")]
    public static partial void EvictionPolicyAllowed(this ILogger logger, string endpoint, string policy);

    [LoggerMessage(1060, LogLevel.Warning, "Sampling the gauges of queue {Queue} failed; its redisstreams.queue.* gauges are left out until a sample succeeds")]
    public static partial void GaugeSamplingFailed(this ILogger logger, Exception exception, string queue);

    [LoggerMessage(1061, LogLevel.Information, "Sampling the gauges of queue {Queue} works again")]
    public static partial void GaugeSamplingRecovered(this ILogger logger, string queue);

    [LoggerMessage(1062, LogLevel.Warning, "Receiver {ConsumerName} of queue {Queue} lost its connection to Redis at {Endpoint} ({FailureType}); it reports unhealthy until a fetch succeeds again")]
    public static partial void ReceiverConnectionLost(this ILogger logger, string queue, string consumerName, string endpoint, string failureType);

    [LoggerMessage(1027, LogLevel.Warning, "Could not verify the maxmemory-policy of Redis at {Endpoint}: the user may not run INFO. An evicting policy would delete queues silently; allow it with ACL SETUSER <user> +info, or make sure the policy is noeviction")]
    public static partial void EvictionPolicyUnverified(this ILogger logger, string endpoint);
}
