using StackExchange.Redis;

namespace RedisStreams.Transport.Subscriptions;

/// <summary>
/// What this client subscribed and linked, per topic, with the topic's epoch as Redis last reported it: the
/// registry entries this process stands for and writes again when Redis loses them. Unsubscribing and
/// unlinking remove them. Thread-safe.
/// </summary>
internal sealed class AssertedSubscriptions
{
    readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    readonly Lock _lock = new();

    /// <summary>Whether nothing is asserted (a publisher only, or everything was withdrawn).</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _topics.Count == 0;
            }
        }
    }

    public void Add(string topic, string? queue, string? link)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(topic, out var entry))
            {
                entry = new Topic();
                _topics[topic] = entry;
            }

            if (queue is not null)
            {
                entry.Queues.Add(queue);
            }

            if (link is not null)
            {
                entry.Links.Add(link);
            }
        }
    }

    public void Remove(string topic, string? queue, string? link)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(topic, out var entry))
            {
                return;
            }

            if (queue is not null)
            {
                entry.Queues.Remove(queue);
            }

            if (link is not null)
            {
                entry.Links.Remove(link);
            }

            if (entry.Queues.Count == 0 && entry.Links.Count == 0)
            {
                _topics.Remove(topic);
            }
        }
    }

    /// <summary>Remembers the epoch Redis reported for a topic this client asserts something on.</summary>
    public void SetEpoch(string topic, RedisValue epoch)
    {
        lock (_lock)
        {
            if (_topics.TryGetValue(topic, out var entry))
            {
                entry.Epoch = epoch;
            }
        }
    }

    /// <summary>Every topic with something asserted, and the epoch last seen for it.</summary>
    public IReadOnlyList<(string Topic, RedisValue Epoch)> Epochs()
    {
        lock (_lock)
        {
            return [.. _topics.Select(t => (t.Key, t.Value.Epoch))];
        }
    }

    /// <summary>What is asserted on one topic; both empty when nothing (any more).</summary>
    public (string[] Queues, string[] Links) Of(string topic)
    {
        lock (_lock)
        {
            return _topics.TryGetValue(topic, out var entry) ? ([.. entry.Queues], [.. entry.Links]) : ([], []);
        }
    }

    sealed class Topic
    {
        public HashSet<string> Queues { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Links { get; } = new(StringComparer.Ordinal);

        public RedisValue Epoch { get; set; } = RedisValue.Null;
    }
}
