using System.Collections.Concurrent;
using System.Diagnostics;
using RedisStreams.Transport.Naming;
using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>
/// Who receives what is published: topic → queues, and topic → topics for polymorphic message types
/// (publishing to a topic also reaches everything subscribed to the topics it links to). Kept in Redis
/// sets, so every process sees the same subscriptions.
/// </summary>
public sealed class SubscriptionRegistry
{
    readonly RedisStreamsClient _client;
    readonly string _prefix;
    readonly RedisKey _versionKey;
    readonly ConcurrentDictionary<string, (long Version, IReadOnlyCollection<string> Queues)> _resolved = new(StringComparer.Ordinal);

    internal SubscriptionRegistry(RedisStreamsClient client)
    {
        _client = client;
        _prefix = client.Options.KeyPrefix;
        _versionKey = TopicKeys.Version(_prefix);
    }

    IDatabase Database => _client.Database;

    /// <summary>Subscribes a queue to a topic. Subscribing twice is the same as once.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="queue">The subscribing queue.</param>
    /// <exception cref="RedisStreamsWriteException">Redis did not take the change (see <see cref="RedisStreamsClient.SendAsync"/>).</exception>
    public Task SubscribeAsync(string topic, string queue) => ChangeAsync(topic, Keys(topic).Queues, Queue(queue), add: true);

    /// <summary>Removes a queue's subscription to a topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="queue">The queue.</param>
    public Task UnsubscribeAsync(string topic, string queue) => ChangeAsync(topic, Keys(topic).Queues, Queue(queue), add: false);

    /// <summary>Makes everything published to <paramref name="source"/> reach the subscribers of <paramref name="destination"/> too.</summary>
    /// <param name="source">The topic messages are published to, e.g. a concrete message type.</param>
    /// <param name="destination">The topic whose subscribers also receive them, e.g. an interface it implements.</param>
    public Task LinkTopicsAsync(string source, string destination)
    {
        EntityName.Validate(destination, "topic");
        return ChangeAsync(source, Keys(source).Topics, destination, add: true);
    }

    /// <summary>Removes a link made by <see cref="LinkTopicsAsync"/>.</summary>
    /// <param name="source">The source topic.</param>
    /// <param name="destination">The destination topic.</param>
    public Task UnlinkTopicsAsync(string source, string destination) => ChangeAsync(source, Keys(source).Topics, destination, add: false);

    /// <summary>The queues subscribed directly to a topic, sorted by ordinal comparison.</summary>
    /// <param name="topic">The topic.</param>
    public async Task<IReadOnlyList<string>> GetSubscribersAsync(string topic)
    {
        var set = Keys(topic).Queues;
        var members = await _client.Writes.ReadAsync($"the subscribers of topic '{topic}'", set, () => Database.SetMembersAsync(set)).ConfigureAwait(false);
        return [.. members.Select(m => (string)m!).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every queue a message published to the topic must reach: its subscribers and, through links, those of
    /// the topics it links to. Each queue appears once. Cached until the registry changes.
    /// </summary>
    /// <param name="topic">The topic.</param>
    public async Task<IReadOnlyCollection<string>> ResolveQueuesAsync(string topic)
    {
        EntityName.Validate(topic, "topic");
        return await _client.Writes.ReadAsync($"the subscribers of topic '{topic}'", Keys(topic).Queues, () => ResolveOnceAsync(topic)).ConfigureAwait(false);
    }

    async Task<IReadOnlyCollection<string>> ResolveOnceAsync(string topic)
    {
        var version = (long)await Database.StringGetAsync(_versionKey).ConfigureAwait(false);
        if (_resolved.TryGetValue(topic, out var cached) && cached.Version == version)
        {
            return cached.Queues;
        }

        var queues = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal) { topic };
        var frontier = new List<string> { topic };
        while (frontier.Count > 0)
        {
            var lookups = frontier.Select(t =>
            {
                var keys = Keys(t);
                return (Queues: Database.SetMembersAsync(keys.Queues), Topics: Database.SetMembersAsync(keys.Topics));
            }).ToList();
            frontier = [];
            foreach (var lookup in lookups)
            {
                foreach (var queue in await lookup.Queues.ConfigureAwait(false))
                {
                    queues.Add(queue!);
                }

                foreach (var linked in await lookup.Topics.ConfigureAwait(false))
                {
                    if (seen.Add(linked!))
                    {
                        frontier.Add(linked!);
                    }
                }
            }
        }

        IReadOnlyCollection<string> result = [.. queues];
        _resolved[topic] = (version, result);
        return result;
    }

    /// <summary>
    /// Every topic with a subscriber or a link, with its queues and linked topics, sorted by name. Scans the keyspace
    /// (<c>SCAN</c>, on every primary of a Cluster), so it is meant for operators, not for every publish; the ACL
    /// user needs <c>+scan</c> and <c>+smembers</c>.
    /// </summary>
    public async Task<IReadOnlyList<TopicSubscriptions>> ListTopicsAsync()
    {
        return await Diagnostics.RedisErrors.GuardAsync(
            async () =>
            {
                var keys = await _client.Scanner.ScanAsync(TopicKeys.Pattern(_prefix)).ConfigureAwait(false);
                var reads = new List<(string Topic, bool IsQueueSet, Task<RedisValue[]> Members)>();
                foreach (var key in keys)
                {
                    if (TopicKeys.TryParse(_prefix, key, out var topic, out var isQueueSet))
                    {
                        reads.Add((topic, isQueueSet, Database.SetMembersAsync(key)));
                    }
                }

                var topics = new SortedDictionary<string, (List<string> Queues, List<string> Topics)>(StringComparer.Ordinal);
                foreach (var (topic, isQueueSet, members) in reads)
                {
                    if (!topics.TryGetValue(topic, out var entry))
                    {
                        entry = ([], []);
                        topics[topic] = entry;
                    }

                    (isQueueSet ? entry.Queues : entry.Topics).AddRange((await members.ConfigureAwait(false)).Select(m => (string)m!));
                }

                return (IReadOnlyList<TopicSubscriptions>)[.. topics
                    .Where(t => t.Value.Queues.Count + t.Value.Topics.Count > 0)
                    .Select(t => new TopicSubscriptions(t.Key, [.. t.Value.Queues.Order(StringComparer.Ordinal)], [.. t.Value.Topics.Order(StringComparer.Ordinal)]))];
            },
            _client.AclUser,
            "listing topics",
            _prefix + ":*",
            "+scan +smembers").ConfigureAwait(false);
    }

    async Task ChangeAsync(string topic, RedisKey set, string member, bool add)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var destination = $"the subscriptions of topic '{topic}'";

        // Endpoints assert their subscriptions at every start: when nothing changes, nothing is written. Redis
        // refuses SADD under OOM even for a member that exists, and an endpoint restarted during a memory incident
        // must still start and drain; publishers also keep their cached resolutions.
        // SMEMBERS rather than SISMEMBER: a topic's set is small, and the ACL template users already run allows it.
        var members = await _client.Writes.ReadAsync(destination, set, () => Database.SetMembersAsync(set)).ConfigureAwait(false);
        var present = members.Contains(member);
        if (present == add)
        {
            return;
        }

        _ = await _client.Writes.WriteAsync(
            destination,
            set,
            flags => add ? Database.SetAddAsync(set, member, flags) : Database.SetRemoveAsync(set, member, flags),
            startedAt).ConfigureAwait(false);

        // Bumped after the change: a publisher that sees the new version also sees the new member. On a
        // cluster the version lives in another slot, so it gets its own WAIT in durable mode.
        await _client.Writes.WriteAsync(destination, _versionKey, flags => Database.StringIncrementAsync(_versionKey, flags: flags), startedAt).ConfigureAwait(false);
        _resolved.Clear();
    }

    TopicKeys Keys(string topic) => new(_prefix, topic);

    static string Queue(string queue)
    {
        EntityName.Validate(queue, "queue");
        return queue;
    }
}
