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

    [LoggerMessage(1040, LogLevel.Warning, "Subscriptions of topic '{Topic}' were missing from Redis ({Cause}) and were written again: subscribed queues [{Queues}], linked topics [{LinkedTopics}]. Noticed by: {Trigger}. Messages published to the topic before now reached none of them")]
    public static partial void SubscriptionsRestored(this ILogger logger, string topic, string queues, string linkedTopics, string cause, string trigger);

    [LoggerMessage(1041, LogLevel.Warning, "Redis at {EndPoint} is not the server it was ({Before} -> {Now}): it restarted or failed over and may have lost recent writes; checking every subscription this client made")]
    public static partial void ServerChanged(this ILogger logger, string endPoint, string before, string now);

    [LoggerMessage(1042, LogLevel.Warning, "Checking that this client's subscriptions are still in Redis failed ({Trigger}); trying again in {RetryDelay}")]
    public static partial void SubscriptionCheckFailed(this ILogger logger, Exception exception, string trigger, TimeSpan retryDelay);

    [LoggerMessage(1043, LogLevel.Debug, "Published to topic '{Topic}', which no queue subscribes to: the message reached nobody")]
    public static partial void PublishedToNobody(this ILogger logger, string topic);
}
