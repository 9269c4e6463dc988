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

    /// <summary>The glob pattern that matches the registry keys of every topic under <paramref name="prefix"/>.</summary>
    public static string Pattern(string prefix) => prefix + ":topic:{*";

    /// <summary>
    /// Reads the topic a registry key belongs to, and whether it is its queue set or its topic set; <c>false</c> for
    /// any other key, the topic's epoch included.
    /// </summary>
    public static bool TryParse(string prefix, string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? topic, out bool isQueueSet)
    {
        topic = null;
        isQueueSet = false;
        var head = prefix + ":topic:{";
        if (!key.StartsWith(head, StringComparison.Ordinal))
        {
            return false;
        }

        var close = key.IndexOf('}', head.Length);
        if (close < 0)
        {
            return false;
        }

        switch (key[(close + 1)..])
        {
            case ":queues":
                isQueueSet = true;
                break;
            case ":topics":
                break;
            default:
                // The epoch and anything unknown: not a set of subscriptions.
                return false;
        }

        return EntityName.TryUnescape(key[head.Length..close], out topic);
    }

    /// <summary>
    /// A random value written anew on every registry change, so publishers can cache resolutions: never a counter,
    /// which would start again from the same values after Redis lost it.
    /// </summary>
    public static RedisKey Version(string prefix) => prefix + ":registry-version";
}
