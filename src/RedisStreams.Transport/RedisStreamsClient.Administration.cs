using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Scripts;
using RedisStreams.Transport.Wire;
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
        try
        {
            await Database.StreamCreateConsumerGroupAsync(keys.Stream, group ?? queue, "0", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // Already there: provisioning is idempotent.
        }
    }

    /// <summary>
    /// Removes every message of a queue, pending ones included, and its scheduled messages. The dead-letter
    /// stream is kept.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="group">The consumer group; defaults to the queue name.</param>
    /// <returns>How many stream entries were removed.</returns>
    public async Task<long> PurgeQueueAsync(string queue, string? group = null)
    {
        var keys = KeysFor(queue);
        var removed = await Database.ScriptEvaluateAsync(LuaScripts.Purge, [keys.Stream, keys.Delayed, keys.DelayedData, keys.Oversized], [group ?? queue]).ConfigureAwait(false);
        return (long)removed;
    }

    /// <summary>Deletes every key of a queue: stream, groups, scheduled and dead-lettered messages.</summary>
    /// <param name="queue">The queue.</param>
    public async Task DeleteQueueAsync(string queue)
    {
        var keys = KeysFor(queue);
        await Database.KeyDeleteAsync(keys.All).ConfigureAwait(false);
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

    /// <summary>Moves entries from a queue's dead-letter stream back into the queue, oldest first.</summary>
    /// <remarks>
    /// Each entry goes back with its fields as they were in the queue, in one atomic step. An entry with more
    /// fields than a Redis script may write (about 3,500 headers) moves through the queue's oversized hash and
    /// is written by this call; if that fails it stays there, logged, and the next delayed-delivery pass of any
    /// receiver of the queue writes it. Entries with nothing to put back (only dead-letter fields, or a scheduled
    /// payload that could not be read) stay in the dead-letter stream, logged.
    /// </remarks>
    /// <param name="queue">The queue.</param>
    /// <param name="maxCount">The most entries to move.</param>
    /// <returns>How many entries left the dead-letter stream for the queue.</returns>
    public async Task<long> RequeueDeadLettersAsync(string queue, int maxCount = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var keys = KeysFor(queue);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
            LuaScripts.Requeue,
            [keys.Stream, keys.DeadLetter, keys.Waiting, keys.Oversized],
            [keys.Doorbell.ToString(), maxCount]).ConfigureAwait(false))!;
        var moved = (long)result[0];
        var staged = (RedisValue[])result[1]!;
        var leftInPlace = (long)result[2];
        if (staged.Length > 0)
        {
            await new OversizedEntries(Database, keys, _logger).WriteStagedAsync(staged).ConfigureAwait(false);
        }

        if (leftInPlace > 0)
        {
            _logger.DeadLettersLeftInPlace(queue, leftInPlace);
        }

        return moved + staged.Length;
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
}
