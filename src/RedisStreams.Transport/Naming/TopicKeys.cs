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
    }

    /// <summary>Set of queue names subscribed to the topic.</summary>
    public RedisKey Queues { get; }

    /// <summary>Set of topic names that receive everything published to this topic.</summary>
    public RedisKey Topics { get; }

    /// <summary>Counter bumped on every registry change, so publishers can cache resolutions safely.</summary>
    public static RedisKey Version(string prefix) => prefix + ":registry-version";
}
