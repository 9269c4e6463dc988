using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport.Wire;

/// <summary>
/// Writes entries too large for a Lua script to write. Redis 7.0's Lua passes at most 7,999 values to one
/// command (<c>unpack</c> fails at 8,000), so an entry of more than <see cref="MaxScriptFields"/> field values is
/// written by the client: a send with a plain <c>XADD</c>; a due delayed message, a requeued dead letter or a
/// redriven message from the queue's <c>:oversized</c> hash, where a script put it packed atomically with its
/// removal from where it was, in a <c>MULTI</c>/<c>EXEC</c> that also removes it from the hash.
/// </summary>
/// <remarks>
/// Writing a staged entry is conditional on the hash still holding it unchanged (<c>WATCH</c>), so racing
/// writers write it once, and the entry is always in exactly one place: where it came from, the hash, or the
/// stream. A writer that dies leaves it in the hash, and the next mover pass writes it. Every write goes through
/// the client's <see cref="WriteGuard"/>, as every other write does: retried through outages for
/// <see cref="RedisStreamsOptions.WriteRetryTimeout"/>, out of memory at once, confirmed by <c>WAIT</c> in durable
/// mode.
/// </remarks>
internal sealed class OversizedEntries(IDatabase database, QueueKeys keys, WriteGuard writes, ILogger logger)
{
    /// <summary>The most field values (names and values) a script writes in one entry; the same number as in prelude.lua.</summary>
    public const int MaxScriptFields = 7000;

    /// <summary>How many ids a script passes to one command; the same number as in prelude.lua.</summary>
    public const int IdsPerCall = 1000;

    // Writers of one queue's oversized entries that meet change the hash under each other; a few rounds sort that out.
    const int WriteAttempts = 4;

    // Staged entries written per pass over leftovers, so one pass stays short.
    const int LeftoversPerPass = 50;

    string Destination => $"queue '{keys.Queue}'";

    public static bool IsOversized(RedisValue[] fields) => fields.Length > MaxScriptFields;

    /// <summary>Sends one entry: a plain <c>XADD</c>, then the doorbell.</summary>
    /// <param name="fields">The entry's field names and values.</param>
    /// <param name="startedAt">When the caller asked to send it (a <see cref="Stopwatch"/> timestamp), for the retry window.</param>
    /// <returns>The new entry's id.</returns>
    public Task<string> AppendAsync(RedisValue[] fields, long startedAt)
    {
        var pairs = Pairs(fields);
        return writes.WriteAsync(
            Destination,
            keys.Stream,
            async flags =>
            {
                var id = (string)(await database.StreamAddAsync(keys.Stream, pairs, flags: flags).ConfigureAwait(false))!;

                // After the entry, on the same connection; only a wake-up, so nobody waits for it.
                _ = database.PublishAsync(keys.Doorbell, "m", CommandFlags.FireAndForget);
                return id;
            },
            startedAt);
    }

    /// <summary>Writes the given staged entries to the stream; those it cannot write stay staged and are logged.</summary>
    /// <returns>How many this call wrote.</returns>
    public Task<int> WriteStagedAsync(IEnumerable<RedisValue> stagedKeys) =>
        WriteAllAsync(stagedKeys.Select(key => (key, RedisValue.Null)));

    /// <summary>Writes one staged entry to the stream; when it cannot, it stays staged and is logged.</summary>
    public Task<StagedWrite> WriteOneStagedAsync(RedisValue stagedKey) => WriteOneLoggingFailureAsync(stagedKey, RedisValue.Null);

    /// <summary>Writes entries left staged by writers that died or lost a race (a bounded number per call).</summary>
    /// <returns>How many this call wrote.</returns>
    public async Task<int> WriteLeftoversAsync()
    {
        var leftovers = new List<(RedisValue, RedisValue)>();
        await foreach (var entry in database.HashScanAsync(keys.Oversized, pageSize: LeftoversPerPass).ConfigureAwait(false))
        {
            leftovers.Add((entry.Name, entry.Value));
            if (leftovers.Count == LeftoversPerPass)
            {
                break;
            }
        }

        return await WriteAllAsync(leftovers).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes staged entries (key, and the packed fields when already read) one after another; stops at the first
    /// that cannot be written, since the others would fail the same way, each after its retry window.
    /// </summary>
    async Task<int> WriteAllAsync(IEnumerable<(RedisValue Key, RedisValue Packed)> staged)
    {
        var written = 0;
        foreach (var (key, packed) in staged)
        {
            var result = await WriteOneLoggingFailureAsync(key, packed).ConfigureAwait(false);
            if (result.Outcome == StagedOutcome.StillStaged)
            {
                break;
            }

            written += result.Outcome is StagedOutcome.Written or StagedOutcome.Unconfirmed ? 1 : 0;
        }

        return written;
    }

    async Task<StagedWrite> WriteOneLoggingFailureAsync(RedisValue key, RedisValue packed)
    {
        try
        {
            return await WriteOneAsync(key, packed).ConfigureAwait(false);
        }
        catch (RedisStreamsReplicationException e)
        {
            // Written, and gone from the hash: only the replicas' confirmation is missing (the guard logged it).
            return new StagedWrite(StagedOutcome.Unconfirmed, Problem: e.Message);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or RedisStreamsWriteException)
        {
            logger.OversizedWriteDeferred(e, keys.Queue, (string)key!);
            return new StagedWrite(StagedOutcome.StillStaged, Problem: e.Message);
        }
    }

    async Task<StagedWrite> WriteOneAsync(RedisValue key, RedisValue packed)
    {
        var startedAt = Stopwatch.GetTimestamp();
        for (var attempt = 1; attempt <= WriteAttempts; attempt++)
        {
            if (packed.IsNull)
            {
                packed = await writes.ReadAsync(Destination, keys.Oversized, () => database.HashGetAsync(keys.Oversized, key)).ConfigureAwait(false);
                if (packed.IsNull)
                {
                    return new StagedWrite(StagedOutcome.WrittenElsewhere); // another writer wrote it
                }
            }

            RedisValue[] fields;
            try
            {
                fields = PackedFields.Unpack(((ReadOnlyMemory<byte>)packed).Span);
            }
            catch (FormatException e)
            {
                try
                {
                    await DropUnreadableAsync(key, e.Message, startedAt).ConfigureAwait(false);
                }
                catch (RedisStreamsReplicationException)
                {
                    // Dead-lettered all the same; only the replicas' confirmation is missing (the guard logged it).
                }

                return new StagedWrite(StagedOutcome.DeadLettered, Problem: e.Message);
            }

            var written = await writes.WriteAsync(Destination, keys.Stream, flags => TryWriteAsync(key, packed, fields, flags), startedAt, wrote: id => id is not null).ConfigureAwait(false);
            if (written is not null)
            {
                return new StagedWrite(StagedOutcome.Written, written);
            }

            packed = RedisValue.Null; // changed under us: look again
        }

        logger.OversizedWriteDeferred(null, keys.Queue, (string)key!);
        return new StagedWrite(StagedOutcome.StillStaged, Problem: "other writers kept changing the oversized hash");
    }

    /// <summary>
    /// <c>XADD</c>, <c>HDEL</c> and the doorbell in one transaction, if the hash still holds <paramref name="packed"/>
    /// under <paramref name="key"/>; the new id, or <c>null</c> when it did not.
    /// </summary>
    async Task<string?> TryWriteAsync(RedisValue key, RedisValue packed, RedisValue[] fields, CommandFlags flags)
    {
        var transaction = database.CreateTransaction();
        transaction.AddCondition(Condition.HashEqual(keys.Oversized, key, packed));
        var added = transaction.StreamAddAsync(keys.Stream, Pairs(fields), flags: flags);
        var removed = transaction.HashDeleteAsync(keys.Oversized, key, flags);

        // Rings whether or not a receiver is waiting (one message on a rare path) and leaves the waiting flag to
        // expire or to the next script send: no conditional logic in a transaction.
        var rung = transaction.PublishAsync(keys.Doorbell, "m", flags);
        bool executed;
        try
        {
            executed = await transaction.ExecuteAsync(flags).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("EXECABORT", StringComparison.Ordinal))
        {
            throw await ExplainAbortAsync(e).ConfigureAwait(false);
        }

        if (!executed)
        {
            return null;
        }

        string id;
        try
        {
            id = (string)(await added.ConfigureAwait(false))!;
        }
        catch (RedisServerException)
        {
            // The stream key holds something else (WRONGTYPE), and the transaction removed the entry anyway:
            // put it back, so it is written once the key is a stream again.
            await database.HashSetAsync(keys.Oversized, key, packed, flags: flags).ConfigureAwait(false);
            throw;
        }

        await Task.WhenAll(removed, rung).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// StackExchange.Redis reports a transaction that Redis refused to queue as <c>EXECABORT</c> alone and drops
    /// the reason (out of memory, a missing ACL permission). An <c>XADD … NOMKSTREAM</c> to a key of the queue's
    /// slot that never exists asks Redis the same question without writing anything: its refusal is the reason,
    /// thrown instead, so the guard fails at once on <c>OOM</c> and a missing permission is named.
    /// </summary>
    async Task<Exception> ExplainAbortAsync(RedisServerException abort)
    {
        try
        {
            await database.ExecuteAsync("XADD", keys.Oversized.Append(":probe"), "NOMKSTREAM", "*", "probe", "1").ConfigureAwait(false);
        }
        catch (RedisServerException refusal)
        {
            return refusal;
        }

        return abort;
    }

    /// <summary>Moves a staged entry nobody can read to the dead-letter stream, raw, in one step.</summary>
    async Task DropUnreadableAsync(RedisValue key, string problem, long startedAt)
    {
        var reason = $"an entry too large for a script, staged as '{key}', cannot be read: {problem}";
        RedisKey[] scriptKeys = [keys.Oversized, keys.DeadLetter];
        RedisValue[] args = [key, reason];
        var dropped = (long)await writes.WriteAsync(
            $"the dead-letter stream of queue '{keys.Queue}'",
            keys.DeadLetter,
            flags => database.ScriptEvaluateAsync(LuaScripts.DropStaged, scriptKeys, args, flags),
            startedAt).ConfigureAwait(false);
        if (dropped == 1)
        {
            TransportMetrics.DeadLettered.Add(1, TransportMetrics.Queue(keys.Queue));
            logger.OversizedUnreadable(keys.Queue, (string)key!, problem);
        }
    }

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
