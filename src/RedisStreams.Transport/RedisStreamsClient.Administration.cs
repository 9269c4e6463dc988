using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    /// <summary>
    /// Creates a queue's stream and consumer group if they do not exist. Entries already in the stream stay
    /// and will be delivered. Receivers do this themselves; call it to create queues ahead of time.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="group">The consumer group; defaults to the queue name.</param>
    public async Task ProvisionQueueAsync(string queue, string? group = null)
    {
        var keys = KeysFor(queue);
        group ??= queue;

        // Looked up first: Redis refuses XGROUP CREATE under OOM even when the group exists, and a consumer
        // restarted during a memory incident must still start and drain its queue. A read is always allowed.
        if (await GroupExistsAsync(keys.Stream, group).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await Database.StreamCreateConsumerGroupAsync(keys.Stream, group, "0", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // Already there: provisioning is idempotent.
        }
    }

    async Task<bool> GroupExistsAsync(RedisKey stream, string group)
    {
        try
        {
            var groups = await Database.StreamGroupInfoAsync(stream).ConfigureAwait(false);
            return groups.Any(g => g.Name == group);
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
    }

    /// <summary>
    /// Removes every message of a queue, pending ones included, its scheduled messages and the entries too large
    /// for a script still waiting in its oversized hash to be written, in one step. The consumer groups stay
    /// (emptied), so running receivers carry on; the dead-letter stream is kept.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="group">The one consumer group to reset; <c>null</c> resets every group of the stream.</param>
    /// <param name="mustExist">
    /// <c>true</c> to fail with <see cref="QueueNotFoundException"/> when the queue has no stream, no scheduled
    /// messages and no oversized entries waiting, instead of creating it empty (what an operator means; adapters purging at start-up pass <c>false</c>).
    /// </param>
    /// <returns>How many messages were removed: stream entries and oversized entries waiting to be written.</returns>
    /// <exception cref="QueueNotFoundException"><paramref name="mustExist"/> is set and the queue does not exist.</exception>
    /// <exception cref="RedisStreamsPermissionException">The ACL user may not run the purge script or touch the queue's keys.</exception>
    public async Task<long> PurgeQueueAsync(string queue, string? group = null, bool mustExist = false)
    {
        var keys = KeysFor(queue);
        var removed = (long)await GuardAsync(
            () => Database.ScriptEvaluateAsync(LuaScripts.Purge, [keys.Stream, keys.Delayed, keys.DelayedData, keys.Oversized], [group ?? string.Empty, mustExist ? "1" : "0", queue]),
            $"purging queue '{queue}'",
            "+evalsha +eval +script|load +xlen +hlen +xtrim +xinfo|groups +xgroup|destroy +xgroup|create +del +exists").ConfigureAwait(false);
        if (removed < 0)
        {
            throw new QueueNotFoundException(queue, Options.KeyPrefix);
        }

        _logger.QueuePurged(queue, removed);
        return removed;
    }

    /// <summary>Removes every entry of a queue's dead-letter stream, in one step.</summary>
    /// <param name="queue">The queue.</param>
    /// <returns>How many dead letters were removed.</returns>
    /// <exception cref="QueueNotFoundException">The queue has no key at all.</exception>
    public async Task<long> PurgeDeadLettersAsync(string queue)
    {
        await ThrowIfMissingAsync(queue).ConfigureAwait(false);
        var keys = KeysFor(queue);
        var removed = (long)await GuardAsync(
            () => Database.ScriptEvaluateAsync(LuaScripts.PurgeDeadLetters, [keys.DeadLetter]),
            $"purging the dead letters of '{queue}'",
            "+evalsha +eval +script|load +xlen +del").ConfigureAwait(false);
        _logger.DeadLettersPurged(queue, removed);
        return removed;
    }

    /// <summary>
    /// Deletes every key of a queue: stream, groups, scheduled and dead-lettered messages, redrive bookkeeping.
    /// Deleting a queue that does not exist does nothing. Subscriptions are left to their owners (see
    /// <see cref="RemoveQueueAsync"/>).
    /// </summary>
    /// <param name="queue">The queue.</param>
    public async Task DeleteQueueAsync(string queue)
    {
        await DeleteKeysAsync(KeysFor(queue)).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>DEL</c> on every key of the queue (one slot). StackExchange.Redis's <c>KeyDeleteAsync</c> sends <c>UNLINK</c>
    /// where the server has it, which the least-privilege ACL template (docs/reliability.md) does not grant.
    /// </summary>
    async Task<long> DeleteKeysAsync(Naming.QueueKeys keys) =>
        (long)await Database.ExecuteAsync("DEL", [.. keys.All.Cast<object>()]).ConfigureAwait(false);

    /// <summary>
    /// Deletes a queue the way an operator means it: every key it owns (as <see cref="DeleteQueueAsync"/>), and its
    /// subscription to every topic, so publishing no longer creates it again. Listing the topics scans the keyspace
    /// (<c>SCAN</c>), so the ACL user needs <c>+scan</c>.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <exception cref="QueueNotFoundException">The queue has no key and no subscription.</exception>
    public async Task<QueueRemoval> RemoveQueueAsync(string queue)
    {
        var keys = KeysFor(queue);
        var db = Database;
        var summary = (await GetQueueSummariesAsync([queue]).ConfigureAwait(false))[0];
        var topics = await Subscriptions.ListTopicsAsync().ConfigureAwait(false);
        var subscribed = topics.Where(t => t.Queues.Contains(queue, StringComparer.Ordinal)).Select(t => t.Topic).ToList();
        var existed = await GuardAsync(
            () => DeleteKeysAsync(keys),
            $"deleting queue '{queue}'",
            "+del").ConfigureAwait(false);
        if (existed == 0 && subscribed.Count == 0)
        {
            throw new QueueNotFoundException(queue, Options.KeyPrefix);
        }

        foreach (var topic in subscribed)
        {
            await Subscriptions.UnsubscribeAsync(topic, queue).ConfigureAwait(false);
        }

        _logger.QueueRemoved(queue, summary.Length, summary.DeadLettered, subscribed.Count);
        return new QueueRemoval(queue, summary.Length, summary.DeadLettered, summary.Delayed, subscribed);
    }

    /// <summary>
    /// Makes every existing key of a queue expire after <paramref name="idleTime"/>; calling it again restarts
    /// the clock. For temporary queues: their owner refreshes the expiry while it runs, so when it dies without
    /// deleting them they disappear by themselves.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="idleTime">How long the keys live without another call; at least one second.</param>
    public async Task ExpireQueueAsync(string queue, TimeSpan idleTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(idleTime, TimeSpan.FromSeconds(1));
        var keys = KeysFor(queue);
        await Task.WhenAll(keys.All.Select(key => Database.KeyExpireAsync(key, idleTime))).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves entries from a queue's dead-letter stream back into the queue, oldest first, each atomically,
    /// without their <c>$dead-letter-*</c> fields. <see cref="RedriveDeadLettersAsync"/> chooses by id and reports
    /// per message.
    /// </summary>
    /// <remarks>
    /// Each entry goes back with its fields as they were in the queue. An entry with more fields than a Redis
    /// script may write (about 3,500 headers), or whose fields were packed into <c>$dead-letter-fields</c> when it
    /// was dead-lettered, moves through the queue's oversized hash and is written by this call; if that fails it
    /// stays there, logged, and the next delayed-delivery pass of any receiver of the queue writes it. Entries with
    /// nothing to put back (only dead-letter fields, or a scheduled payload that could not be read) stay in the
    /// dead-letter stream, logged.
    /// </remarks>
    /// <param name="queue">The queue.</param>
    /// <param name="maxCount">The most entries to move.</param>
    /// <returns>How many entries left the dead-letter stream for the queue.</returns>
    public async Task<long> RequeueDeadLettersAsync(string queue, int maxCount = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var report = await RedriveAsync(queue, deadLetters: true, RedriveRequest.First(maxCount), requireSource: false, CancellationToken.None).ConfigureAwait(false);
        return report.Moved;
    }

    /// <summary>Reads entries of a queue's dead-letter stream, oldest first, without removing them.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="maxCount">The most entries to read.</param>
    public async Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string queue, int maxCount = 100)
    {
        var keys = KeysFor(queue);
        var entries = await Database.StreamRangeAsync(keys.DeadLetter, count: maxCount).ConfigureAwait(false);
        return [.. entries.Select(e => DeadLetter.From(e))];
    }

    /// <summary>Fails with <see cref="QueueNotFoundException"/> when the queue has no key at all.</summary>
    async Task ThrowIfMissingAsync(string queue)
    {
        var keys = KeysFor(queue);
        var exists = await GuardAsync(() => Database.KeyExistsAsync(keys.All), $"looking up queue '{queue}'", "+exists").ConfigureAwait(false);
        if (exists == 0)
        {
            throw new QueueNotFoundException(queue, Options.KeyPrefix);
        }
    }

    /// <summary>Runs Redis work for an operator, turning a missing ACL permission into a clear error.</summary>
    Task<T> GuardAsync<T>(Func<Task<T>> action, string operation, string commands) =>
        RedisErrors.GuardAsync(action, AclUser, operation, Options.KeyPrefix + ":*", commands);
}
