using System.Collections.Concurrent;
using System.Diagnostics;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Scripts;
using RedisStreams.Transport.Subscriptions;
using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>
/// Who receives what is published: topic → queues, and topic → topics for polymorphic message types
/// (publishing to a topic also reaches everything subscribed to the topics it links to). Kept in Redis
/// sets, so every process sees the same subscriptions.
/// </summary>
/// <remarks>
/// The client remembers what it subscribed and linked itself, and writes it again whenever Redis lost it
/// (a restart without persistence, a failover, <c>FLUSHALL</c>, deleted keys), with a warning: see
/// <see cref="RedisStreamsOptions.SubscriptionCheckInterval"/>. Unsubscribing and unlinking withdraw it.
/// </remarks>
public sealed partial class SubscriptionRegistry
{
    readonly RedisStreamsClient _client;
    readonly string _prefix;
    readonly RedisKey _versionKey;
    readonly AssertedSubscriptions _asserted = new();

    // One registry write at a time, so a re-assertion can never put back what an unsubscribe is removing.
    readonly SemaphoreSlim _writes = new(1, 1);
    readonly ConcurrentDictionary<string, (RedisValue Version, IReadOnlyCollection<string> Queues)> _resolved = new(StringComparer.Ordinal);

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
    public Task SubscribeAsync(string topic, string queue) => AssertAsync(topic, Queue(queue), link: null);

    /// <summary>Removes a queue's subscription to a topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="queue">The queue.</param>
    public Task UnsubscribeAsync(string topic, string queue) => WithdrawAsync(topic, Queue(queue), link: null);

    /// <summary>Makes everything published to <paramref name="source"/> reach the subscribers of <paramref name="destination"/> too.</summary>
    /// <param name="source">The topic messages are published to, e.g. a concrete message type.</param>
    /// <param name="destination">The topic whose subscribers also receive them, e.g. an interface it implements.</param>
    public Task LinkTopicsAsync(string source, string destination)
    {
        EntityName.Validate(destination, "topic");
        return AssertAsync(source, queue: null, destination);
    }

    /// <summary>Removes a link made by <see cref="LinkTopicsAsync"/>.</summary>
    /// <param name="source">The source topic.</param>
    /// <param name="destination">The destination topic.</param>
    public Task UnlinkTopicsAsync(string source, string destination) => WithdrawAsync(source, queue: null, destination);

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
        // The version is a random value written anew on every change, so after Redis lost it no later value can
        // pass for the one a resolution was cached under.
        var version = await Database.StringGetAsync(_versionKey).ConfigureAwait(false);
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

    async Task AssertAsync(string topic, string? queue, string? link)
    {
        var startedAt = Stopwatch.GetTimestamp();
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            var written = await EnsureAsync(topic, queue is null ? [] : [queue], link is null ? [] : [link], startedAt).ConfigureAwait(false);

            // Remembered once Redis has it: from now on this client stands for it.
            _asserted.Add(topic, queue, link);
            _asserted.SetEpoch(topic, written.Epoch);
            if (written.AddedQueues.Length + written.AddedLinks.Length > 0)
            {
                await ChangeVersionAsync(topic, startedAt).ConfigureAwait(false);
            }
        }
        finally
        {
            _writes.Release();
        }

        _client.KeepSubscriptions();
    }

    async Task WithdrawAsync(string topic, string? queue, string? link)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var keys = Keys(topic);
        var (set, member) = queue is null ? (keys.Topics, link!) : (keys.Queues, queue);
        var destination = Destination(topic);
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            // Forgotten first: should the write fail, this client no longer puts it back.
            _asserted.Remove(topic, queue, link);

            // Nothing to remove, nothing written: publishers keep their cached resolutions.
            var members = await _client.Writes.ReadAsync(destination, set, () => Database.SetMembersAsync(set)).ConfigureAwait(false);
            if (!members.Contains(member))
            {
                return;
            }

            _ = await _client.Writes.WriteAsync(destination, set, flags => Database.SetRemoveAsync(set, member, flags), startedAt).ConfigureAwait(false);
            await ChangeVersionAsync(topic, startedAt).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>
    /// Makes sure one topic's registry holds the given members and its epoch; returns the epoch and what was missing
    /// (and is now written). Called under <see cref="_writes"/>.
    /// </summary>
    /// <remarks>
    /// Read first, written only when something is missing: endpoints assert their subscriptions at every start and the
    /// check after a restart asserts everything again, and Redis refuses <c>SADD</c> under OOM even for a member that
    /// exists, so an endpoint restarted during a memory incident must find nothing to write. Nothing written also
    /// means no <c>WAIT</c> in durable mode and no version change for publishers.
    /// </remarks>
    async Task<Registered> EnsureAsync(string topic, string[] queues, string[] links, long startedAt)
    {
        var keys = Keys(topic);
        var destination = Destination(topic);

        // SMEMBERS rather than SISMEMBER: a topic's set is small, and the ACL template users already run allows it.
        var present = await _client.Writes.ReadAsync(destination, keys.Queues, async () =>
        {
            var queueMembers = queues.Length == 0 ? Task.FromResult<RedisValue[]>([]) : Database.SetMembersAsync(keys.Queues);
            var linkMembers = links.Length == 0 ? Task.FromResult<RedisValue[]>([]) : Database.SetMembersAsync(keys.Topics);
            var epoch = Database.StringGetAsync(keys.Epoch);
            return (Queues: await queueMembers.ConfigureAwait(false), Links: await linkMembers.ConfigureAwait(false), Epoch: await epoch.ConfigureAwait(false));
        }).ConfigureAwait(false);

        var allPresent = queues.All(q => present.Queues.Contains(q)) && links.All(l => present.Links.Contains(l));
        if (allPresent && !present.Epoch.IsNull)
        {
            return new Registered(present.Epoch, [], []);
        }

        var args = new RedisValue[2 + queues.Length + links.Length];
        args[0] = Guid.NewGuid().ToString("N");
        args[1] = queues.Length;
        var next = 2;
        foreach (var member in queues.Concat(links))
        {
            args[next++] = member;
        }

        try
        {
            var result = (RedisResult[])(await _client.Writes.WriteAsync(
                destination,
                keys.Queues,
                flags => Database.ScriptEvaluateAsync(LuaScripts.Register, [keys.Queues, keys.Topics, keys.Epoch], args, flags),
                startedAt).ConfigureAwait(false))!;
            return new Registered((RedisValue)result[0], (string[])result[1]!, (string[])result[2]!);
        }
        catch (RedisStreamsOutOfMemoryException) when (allPresent)
        {
            // The subscriptions are there, only the epoch is not (a registry written before epochs existed, or one
            // Redis lost and someone else subscribed again): Redis refuses every write under OOM, and the endpoint must
            // still start. Remembered without an epoch, so the next check writes it once memory is freed.
            return new Registered(RedisValue.Null, [], []);
        }
    }

    /// <summary>
    /// Written after the change: a publisher that sees the new version also sees the new members. A random value,
    /// never a counter, which would run through the same values again after Redis lost it. On a cluster the version
    /// lives in another slot, so it gets its own <c>WAIT</c> in durable mode.
    /// </summary>
    async Task ChangeVersionAsync(string topic, long startedAt)
    {
        var version = Guid.NewGuid().ToString("N");
        _ = await _client.Writes.WriteAsync(Destination(topic), _versionKey, flags => Database.StringSetAsync(_versionKey, version, flags: flags), startedAt).ConfigureAwait(false);
        _resolved.Clear();
    }

    TopicKeys Keys(string topic) => new(_prefix, topic);

    static string Destination(string topic) => $"the subscriptions of topic '{topic}'";

    /// <summary>A topic's epoch as Redis holds it (<c>Null</c> when it could not be written), and the members that were missing.</summary>
    readonly record struct Registered(RedisValue Epoch, string[] AddedQueues, string[] AddedLinks);

    static string Queue(string queue)
    {
        EntityName.Validate(queue, "queue");
        return queue;
    }
}
