namespace RedisStreams.Transport;

/// <summary>Who receives what is published to one topic (see <see cref="SubscriptionRegistry.ListTopicsAsync"/>).</summary>
/// <param name="Topic">The topic (a message type for the adapters).</param>
/// <param name="Queues">Queues subscribed directly, sorted.</param>
/// <param name="LinkedTopics">Topics that also receive what is published here (polymorphism), sorted.</param>
public sealed record TopicSubscriptions(string Topic, IReadOnlyList<string> Queues, IReadOnlyList<string> LinkedTopics);
