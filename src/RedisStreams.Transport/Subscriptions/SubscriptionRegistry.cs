using System.Collections.Concurrent;
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
    readonly IDatabase _database;
    readonly string _prefix;
    readonly RedisKey _versionKey;
    readonly ConcurrentDictionary<string, (long Version, IReadOnlyCollection<string> Queues)> _resolved = new(StringComparer.Ordinal);

    readonly Inspection.KeyScanner _scanner;
    readonly string? _aclUser;

    internal SubscriptionRegistry(IDatabase database, string prefix, Inspection.KeyScanner scanner, string? aclUser)
    {
        _database = database;
        _scanner = scanner;
        _aclUser = aclUser;
        _prefix = prefix;
        _versionKey = TopicKeys.Version(prefix);
    }

    /// <summary>Subscribes a queue to a topic. Subscribing twice is the same as once.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="queue">The subscribing queue.</param>
    public Task SubscribeAsync(string topic, string queue) => ChangeAsync(Keys(topic).Queues, Queue(queue), add: true);

    /// <summary>Removes a queue's subscription to a topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="queue">The queue.</param>
    public Task UnsubscribeAsync(string topic, string queue) => ChangeAsync(Keys(topic).Queues, Queue(queue), add: false);

    /// <summary>Makes everything published to <paramref name="source"/> reach the subscribers of <paramref name="destination"/> too.</summary>
    /// <param name="source">The topic messages are published to, e.g. a concrete message type.</param>
    /// <param name="destination">The topic whose subscribers also receive them, e.g. an interface it implements.</param>
    public Task LinkTopicsAsync(string source, string destination)
    {
        EntityName.Validate(destination, "topic");
        return ChangeAsync(Keys(source).Topics, destination, add: true);
    }

    /// <summary>Removes a link made by <see cref="LinkTopicsAsync"/>.</summary>
    /// <param name="source">The source topic.</param>
    /// <param name="destination">The destination topic.</param>
    public Task UnlinkTopicsAsync(string source, string destination) => ChangeAsync(Keys(source).Topics, destination, add: false);

    /// <summary>The queues subscribed directly to a topic, sorted by ordinal comparison.</summary>
    /// <param name="topic">The topic.</param>
    public async Task<IReadOnlyList<string>> GetSubscribersAsync(string topic)
    {
        var members = await _database.SetMembersAsync(Keys(topic).Queues).ConfigureAwait(false);
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
        var version = (long)await _database.StringGetAsync(_versionKey).ConfigureAwait(false);
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
                return (Queues: _database.SetMembersAsync(keys.Queues), Topics: _database.SetMembersAsync(keys.Topics));
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
                var keys = await _scanner.ScanAsync(TopicKeys.Pattern(_prefix)).ConfigureAwait(false);
                var reads = new List<(string Topic, bool IsQueueSet, Task<RedisValue[]> Members)>();
                foreach (var key in keys)
                {
                    if (TopicKeys.TryParse(_prefix, key, out var topic, out var isQueueSet))
                    {
                        reads.Add((topic, isQueueSet, _database.SetMembersAsync(key)));
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
            _aclUser,
            "listing topics",
            _prefix + ":*",
            "+scan +smembers").ConfigureAwait(false);
    }

    async Task ChangeAsync(RedisKey set, string member, bool add)
    {
        _ = add
            ? await _database.SetAddAsync(set, member).ConfigureAwait(false)
            : await _database.SetRemoveAsync(set, member).ConfigureAwait(false);

        // Bumped after the change: a publisher that sees the new version also sees the new member.
        await _database.StringIncrementAsync(_versionKey).ConfigureAwait(false);
        _resolved.Clear();
    }

    TopicKeys Keys(string topic) => new(_prefix, topic);

    static string Queue(string queue)
    {
        EntityName.Validate(queue, "queue");
        return queue;
    }
}
