using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport.Wire;

/// <summary>
/// Writes entries too large for a Lua script to write. Redis 7.0's Lua passes at most 7,999 values to one
/// command (<c>unpack</c> fails at 8,000), so an entry of more than <see cref="MaxScriptFields"/> field values is
/// written by the client, in a <c>MULTI</c>/<c>EXEC</c>: a send directly; a due delayed message or a requeued
/// dead letter from the queue's <c>:oversized</c> hash, where a script put it packed, atomically with its
/// removal from where it was.
/// </summary>
/// <remarks>
/// Writing a staged entry is conditional on the hash still holding it unchanged (<c>WATCH</c>), so racing
/// writers write it once, and the entry is always in exactly one place: the set or the dead-letter stream,
/// the hash, or the stream. A writer that dies leaves it in the hash, and the next mover pass writes it.
/// </remarks>
internal sealed class OversizedEntries(IDatabase database, QueueKeys keys, ILogger logger)
{
    /// <summary>The most field values (names and values) a script writes in one entry; the same number as in prelude.lua.</summary>
    public const int MaxScriptFields = 7000;

    /// <summary>How many ids a script passes to one command; the same number as in prelude.lua.</summary>
    public const int IdsPerCall = 1000;

    // Writers of one queue's oversized entries that meet change the hash under each other; a few rounds sort that out.
    const int WriteAttempts = 4;

    // Staged entries written per pass over leftovers, so one pass stays short.
    const int LeftoversPerPass = 50;

    public static bool IsOversized(RedisValue[] fields) => fields.Length > MaxScriptFields;

    /// <summary>Sends one entry: <c>XADD</c> and the doorbell in one transaction.</summary>
    /// <returns>The new entry's id.</returns>
    public async Task<string> AppendAsync(RedisValue[] fields)
    {
        var transaction = database.CreateTransaction();
        var added = transaction.StreamAddAsync(keys.Stream, Pairs(fields));
        var rung = Ring(transaction);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        await rung.ConfigureAwait(false);
        return (string)(await added.ConfigureAwait(false))!;
    }

    /// <summary>Writes the given staged entries to the stream; those it cannot write stay staged and are logged.</summary>
    /// <returns>How many this call wrote.</returns>
    public async Task<int> WriteStagedAsync(IEnumerable<RedisValue> stagedKeys)
    {
        var written = 0;
        foreach (var key in stagedKeys)
        {
            written += await WriteOneLoggingFailureAsync(key, RedisValue.Null).ConfigureAwait(false) ? 1 : 0;
        }

        return written;
    }

    /// <summary>Writes entries left staged by writers that died or lost a race (a bounded number per call).</summary>
    /// <returns>How many this call wrote.</returns>
    public async Task<int> WriteLeftoversAsync()
    {
        var leftovers = new List<HashEntry>();
        await foreach (var entry in database.HashScanAsync(keys.Oversized, pageSize: LeftoversPerPass).ConfigureAwait(false))
        {
            leftovers.Add(entry);
            if (leftovers.Count == LeftoversPerPass)
            {
                break;
            }
        }

        var written = 0;
        foreach (var entry in leftovers)
        {
            written += await WriteOneLoggingFailureAsync(entry.Name, entry.Value).ConfigureAwait(false) ? 1 : 0;
        }

        return written;
    }

    async Task<bool> WriteOneLoggingFailureAsync(RedisValue key, RedisValue packed)
    {
        try
        {
            return await WriteOneAsync(key, packed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.OversizedWriteDeferred(e, keys.Queue, (string)key!);
            return false;
        }
    }

    async Task<bool> WriteOneAsync(RedisValue key, RedisValue packed)
    {
        for (var attempt = 1; attempt <= WriteAttempts; attempt++)
        {
            if (packed.IsNull)
            {
                packed = await database.HashGetAsync(keys.Oversized, key).ConfigureAwait(false);
                if (packed.IsNull)
                {
                    return false; // another writer wrote it
                }
            }

            RedisValue[] fields;
            try
            {
                fields = PackedFields.Unpack(((ReadOnlyMemory<byte>)packed).Span);
            }
            catch (FormatException e)
            {
                var reason = $"an entry too large for a script, staged as '{key}', cannot be read: {e.Message}";
                if ((long)await database.ScriptEvaluateAsync(LuaScripts.DropStaged, [keys.Oversized, keys.DeadLetter], [key, reason]).ConfigureAwait(false) == 1)
                {
                    TransportMetrics.DeadLettered.Add(1, TransportMetrics.Queue(keys.Queue));
                    logger.OversizedUnreadable(keys.Queue, (string)key!, e.Message);
                }

                return false;
            }

            var transaction = database.CreateTransaction();
            transaction.AddCondition(Condition.HashEqual(keys.Oversized, key, packed));
            var added = transaction.StreamAddAsync(keys.Stream, Pairs(fields));
            var removed = transaction.HashDeleteAsync(keys.Oversized, key);
            var rung = Ring(transaction);
            if (!await transaction.ExecuteAsync().ConfigureAwait(false))
            {
                packed = RedisValue.Null; // changed under us: look again
                continue;
            }

            try
            {
                await added.ConfigureAwait(false);
            }
            catch (RedisServerException)
            {
                // The stream key holds something else (WRONGTYPE), and the transaction removed the entry anyway:
                // put it back, so it is written once the key is a stream again.
                await database.HashSetAsync(keys.Oversized, key, packed).ConfigureAwait(false);
                throw;
            }

            await Task.WhenAll(removed, rung).ConfigureAwait(false);
            return true;
        }

        logger.OversizedWriteDeferred(null, keys.Queue, (string)key!);
        return false;
    }

    /// <summary>
    /// Wakes idle receivers. Unlike the scripts it rings whether or not a receiver is waiting (one message on a
    /// rare path) and leaves the waiting flag to expire or to the next script send: no conditional logic in a
    /// transaction, and no command beyond those the engine's ACL already needs.
    /// </summary>
    Task Ring(ITransaction transaction) => transaction.PublishAsync(keys.Doorbell, "m");

    static NameValueEntry[] Pairs(RedisValue[] fields)
    {
        var pairs = new NameValueEntry[fields.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new NameValueEntry(fields[2 * i], fields[(2 * i) + 1]);
        }

        return pairs;
    }
}
