using Microsoft.Extensions.Logging;

namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// Every log line of the engine, with stable event ids (1000-1099). The method names are the event names;
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

    [LoggerMessage(1030, LogLevel.Warning, "{Count} message(s) of queue {Queue} that {ConsumerName} was holding are no longer in the stream: they were trimmed (XTRIM, MAXLEN) or deleted (XDEL), or Redis lost them. No other consumer has them and nobody will deliver them again; acknowledging them does nothing. If they were not meant to go, find what trims or deletes the stream")]
    public static partial void HeldEntriesGone(this ILogger logger, string queue, string consumerName, int count);

    [LoggerMessage(1031, LogLevel.Warning, "{Count} message(s) of queue {Queue} that {ConsumerName} was holding are still in the stream but no longer pending in group {ConsumerGroup}: another consumer or an operator acknowledged them (XACK), or the group was created again. They may be processed twice")]
    public static partial void HeldEntriesSettledElsewhere(this ILogger logger, string queue, string consumerGroup, string consumerName, int count);

    [LoggerMessage(1032, LogLevel.Warning, "Entry {EntryId} of queue {Queue} could not be handed out or dead-lettered: {Reason}. The rest of its batch goes on; it stays pending and is tried again after {ClaimIdleTime}, each time with its delivery count one higher")]
    public static partial void EntryIsolated(this ILogger logger, string queue, string entryId, string reason, TimeSpan claimIdleTime);

    [LoggerMessage(1033, LogLevel.Warning, "{Count} scheduled message(s) of queue {Queue} were due but their payload was missing from the delayed-data hash (deleted, or lost by Redis); nothing could be delivered for token(s) {Tokens}")]
    public static partial void ScheduledPayloadMissing(this ILogger logger, string queue, int count, string tokens);

    [LoggerMessage(1034, LogLevel.Warning, "{Count} scheduled message(s) of queue {Queue} had no due time any more (their entries in the delayed set were deleted or lost); they were moved to the dead-letter stream, from where RequeueDeadLettersAsync delivers them")]
    public static partial void ScheduledPayloadsOrphaned(this ILogger logger, string queue, long count);

    [LoggerMessage(1035, LogLevel.Error, "{Count} scheduled message(s) of queue {Queue} could not be read and were moved to the dead-letter stream with their raw payload (token(s) {Tokens})")]
    public static partial void ScheduledPayloadUnreadable(this ILogger logger, string queue, int count, string tokens);

    [LoggerMessage(1036, LogLevel.Warning, "Entry {StagedKey} of queue {Queue}, too large for a script, could not be written to the stream yet; it stays in the queue's oversized hash and the next delayed-delivery pass of any receiver writes it")]
    public static partial void OversizedWriteDeferred(this ILogger logger, Exception? exception, string queue, string stagedKey);

    [LoggerMessage(1037, LogLevel.Error, "Entry {StagedKey} of queue {Queue}, too large for a script, could not be read ({Problem}) and was moved to the dead-letter stream with its raw payload")]
    public static partial void OversizedUnreadable(this ILogger logger, string queue, string stagedKey, string problem);

    // 1038 ("dead letters left in place") is retired, not to be reused: requeueing goes through the redrive, which
    // logs each dead letter it leaves in place as 1053 with the reason.

    [LoggerMessage(1050, LogLevel.Information, "Redrove {Count} message(s) from {Source} to queue {Destination}")]
    public static partial void Redrove(this ILogger logger, string source, string destination, long count);

    [LoggerMessage(1051, LogLevel.Warning, "Completed {Count} redrive move(s) out of {Source} that an earlier, interrupted redrive had started")]
    public static partial void RedriveResumed(this ILogger logger, string source, long count);

    [LoggerMessage(1052, LogLevel.Warning, "Entry {EntryId} of {Source} waited longer than {Retention} in the middle of its redrive to {Destination}; the de-duplication marker may be gone, so it may arrive twice")]
    public static partial void RedriveResumedLate(this ILogger logger, string source, string entryId, string destination, TimeSpan retention);

    [LoggerMessage(1053, LogLevel.Warning, "Redrive left entry {EntryId} in {Source}: {Reason}")]
    public static partial void RedriveSkipped(this ILogger logger, string source, string entryId, string reason);

    [LoggerMessage(1054, LogLevel.Information, "Purged queue {Queue}: {Count} message(s) removed")]
    public static partial void QueuePurged(this ILogger logger, string queue, long count);

    [LoggerMessage(1055, LogLevel.Information, "Purged the dead-letter stream of queue {Queue}: {Count} entries removed")]
    public static partial void DeadLettersPurged(this ILogger logger, string queue, long count);

    [LoggerMessage(1056, LogLevel.Information, "Deleted queue {Queue} ({Messages} message(s), {DeadLetters} dead letter(s)) and its {Topics} subscription(s)")]
    public static partial void QueueRemoved(this ILogger logger, string queue, long messages, long deadLetters, int topics);

    [LoggerMessage(1040, LogLevel.Warning, "Subscriptions of topic '{Topic}' were missing from Redis ({Cause}) and were written again: subscribed queues [{Queues}], linked topics [{LinkedTopics}]. Noticed by: {Trigger}. Messages published to the topic before now reached none of them")]
    public static partial void SubscriptionsRestored(this ILogger logger, string topic, string queues, string linkedTopics, string cause, string trigger);

    [LoggerMessage(1041, LogLevel.Warning, "Redis at {EndPoint} is not the server it was ({Before} -> {Now}): it restarted or failed over and may have lost recent writes; checking every subscription this client made")]
    public static partial void ServerChanged(this ILogger logger, string endPoint, string before, string now);

    [LoggerMessage(1042, LogLevel.Warning, "Checking that this client's subscriptions are still in Redis failed ({Trigger}); trying again in {RetryDelay}")]
    public static partial void SubscriptionCheckFailed(this ILogger logger, Exception exception, string trigger, TimeSpan retryDelay);

    [LoggerMessage(1043, LogLevel.Debug, "Published to topic '{Topic}', which no queue subscribes to: the message reached nobody")]
    public static partial void PublishedToNobody(this ILogger logger, string topic);
    [LoggerMessage(1070, LogLevel.Warning, "Connecting to Redis at {Endpoint} failed ({Failure}); retrying in the background. Check that Redis runs there and that this machine can reach it")]
    public static partial void ConnectAttemptFailed(this ILogger logger, string endpoint, string failure);

    [LoggerMessage(1071, LogLevel.Warning, "Lost the connection to Redis at {Endpoint} ({Failure}); reconnecting in the background. Sends and receives wait or fail until it is back")]
    public static partial void ConnectionLost(this ILogger logger, Exception? exception, string endpoint, string failure);

    [LoggerMessage(1072, LogLevel.Information, "The connection to Redis at {Endpoint} is back")]
    public static partial void ConnectionRestored(this ILogger logger, string endpoint);
}
