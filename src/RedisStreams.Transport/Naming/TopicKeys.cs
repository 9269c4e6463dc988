using StackExchange.Redis;

namespace RedisStreams.Transport.Naming;

/// <summary>The subscription registry's keys for one topic (one hash slot per topic).</summary>
internal sealed class TopicKeys
{
    public TopicKeys(string prefix, string topic)
    {
        var tag = prefix + ":topic:{" + EntityName.Escape(topic, "topic") + "}";
        Queues = tag + ":queues";
        Topics = tag + ":topics";
        Epoch = tag + ":epoch";
    }

    /// <summary>Set of queue names subscribed to the topic.</summary>
    public RedisKey Queues { get; }

    /// <summary>Set of topic names that receive everything published to this topic.</summary>
    public RedisKey Topics { get; }

    /// <summary>
    /// A random value written with the topic's first subscription or link and never removed: it is gone or
    /// different only when Redis lost the topic's keys.
    /// </summary>
    public RedisKey Epoch { get; }

    /// <summary>
    /// A random value written anew on every registry change, so publishers can cache resolutions: never a counter,
    /// which would start again from the same values after Redis lost it.
    /// </summary>
    public static RedisKey Version(string prefix) => prefix + ":registry-version";
}
