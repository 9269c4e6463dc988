namespace RedisStreams.Transport;

/// <summary>What <see cref="RedisStreamsClient.RemoveQueueAsync"/> deleted.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Messages">Stream entries it held.</param>
/// <param name="DeadLetters">Entries its dead-letter stream held.</param>
/// <param name="Scheduled">Scheduled messages it held.</param>
/// <param name="UnsubscribedTopics">Topics it was subscribed to, now no longer.</param>
public sealed record QueueRemoval(string Queue, long Messages, long DeadLetters, long Scheduled, IReadOnlyList<string> UnsubscribedTopics);
