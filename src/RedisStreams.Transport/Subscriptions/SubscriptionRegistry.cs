using System.Collections.Concurrent;
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
    readonly IDatabase _database;
    readonly string _prefix;
    readonly RedisKey _versionKey;
    readonly Action _onAsserted;
    readonly AssertedSubscriptions _asserted = new();

    // One registry write at a time, so a re-assertion can never put back what an unsubscribe is removing.
    readonly SemaphoreSlim _writes = new(1, 1);
    readonly ConcurrentDictionary<string, (RedisValue Version, IReadOnlyCollection<string> Queues)> _resolved = new(StringComparer.Ordinal);

    internal SubscriptionRegistry(IDatabase database, string prefix, Action onAsserted)
    {
        _database = database;
        _prefix = prefix;
        _versionKey = TopicKeys.Version(prefix);
        _onAsserted = onAsserted;
    }

    /// <summary>Subscribes a queue to a topic. Subscribing twice is the same as once.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="queue">The subscribing queue.</param>
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

        // The version is a random value written anew on every change, so after Redis lost it no later value can
        // pass for the one a resolution was cached under.
        var version = await _database.StringGetAsync(_versionKey).ConfigureAwait(false);
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

    async Task AssertAsync(string topic, string? queue, string? link)
    {
        var keys = Keys(topic);
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            var written = await WriteAsync(keys, add: true, queue is null ? [] : [queue], link is null ? [] : [link]).ConfigureAwait(false);

            // Remembered once Redis has it: from now on this client stands for it.
            _asserted.Add(topic, queue, link);
            _asserted.SetEpoch(topic, written.Epoch);
            await ChangeVersionAsync().ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }

        _onAsserted();
    }

    async Task WithdrawAsync(string topic, string? queue, string? link)
    {
        var keys = Keys(topic);
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            // Forgotten first: should the write fail, this client no longer puts it back.
            _asserted.Remove(topic, queue, link);
            await WriteAsync(keys, add: false, queue is null ? [] : [queue], link is null ? [] : [link]).ConfigureAwait(false);
            await ChangeVersionAsync().ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Adds or removes one topic's members in one script; returns the topic's epoch and what was added.</summary>
    async Task<(RedisValue Epoch, string[] AddedQueues, string[] AddedLinks)> WriteAsync(TopicKeys keys, bool add, string[] queues, string[] links)
    {
        var args = new RedisValue[3 + queues.Length + links.Length];
        args[0] = add ? "add" : "remove";
        args[1] = Guid.NewGuid().ToString("N");
        args[2] = queues.Length;
        var next = 3;
        foreach (var member in queues.Concat(links))
        {
            args[next++] = member;
        }

        var result = (RedisResult[])(await _database.ScriptEvaluateAsync(LuaScripts.Register, [keys.Queues, keys.Topics, keys.Epoch], args).ConfigureAwait(false))!;
        return ((RedisValue)result[0], (string[])result[1]!, (string[])result[2]!);
    }

    /// <summary>Written after the change: a publisher that sees the new version also sees the new members.</summary>
    async Task ChangeVersionAsync()
    {
        await _database.StringSetAsync(_versionKey, Guid.NewGuid().ToString("N")).ConfigureAwait(false);
        _resolved.Clear();
    }

    TopicKeys Keys(string topic) => new(_prefix, topic);

    static string Queue(string queue)
    {
        EntityName.Validate(queue, "queue");
        return queue;
    }
}
