using System.Diagnostics;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class QueueReceiver
{
    const int SettleAttempts = 8;

    /// <summary>Acknowledges a message: it is removed from the queue for good.</summary>
    /// <param name="message">A message this receiver handed out.</param>
    /// <exception cref="RedisStreamsReplicationException">
    /// Durable writes are on and too few replicas confirmed the acknowledgement: a failover may undo it, and the
    /// message would then be delivered again (a duplicate, never a loss).
    /// </exception>
    public Task AckAsync(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Settle(message, "ack", static (receiver, m) => receiver.AcknowledgeAsync(m.EntryId));
    }

    /// <summary>
    /// Acknowledges a message without waiting for Redis's reply, as a RabbitMQ <c>basic.ack</c> does: the
    /// handler's slot frees at once and the ack leaves with the next batch. <see cref="StopAsync"/> waits for
    /// acks still in flight. An ack that cannot be written through every retry is logged, and the message is
    /// delivered again after <see cref="RedisStreamsOptions.ClaimIdleTime"/>: at least once, never lost.
    /// </summary>
    /// <param name="message">A message this receiver handed out.</param>
    public void AckInBackground(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _ = Settle(message, "ack", static (receiver, m) => receiver.AcknowledgeLoggingFailureAsync(m.EntryId));
    }

    async Task AcknowledgeLoggingFailureAsync(string entryId)
    {
        try
        {
            await AcknowledgeAsync(entryId).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nobody awaits a background ack: whatever failed it is logged, and the entry is redelivered.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.BackgroundAckFailed(e, Queue, entryId);
        }
    }

    /// <remarks>
    /// Runs synchronously up to the ack's round trip, so the entry is in flight and no longer held by the time
    /// either caller returns: the slot frees as the ack leaves, the next fetch overlaps its round trip, and
    /// <see cref="StopAsync"/> never sees neither.
    /// </remarks>
    async Task AcknowledgeAsync(string entryId)
    {
        _acking[entryId] = 0;
        Forget(entryId);
        try
        {
            await _acks.AddAsync(entryId).ConfigureAwait(false);
        }
        finally
        {
            _acking.TryRemove(entryId, out _);
        }

        TransportMetrics.Acked.Add(1, TransportMetrics.Queue(Queue));
    }

    /// <summary>
    /// Gives a message back to its queue: any receiver of the group gets it again at once, before newer
    /// messages, with its delivery count one higher.
    /// </summary>
    /// <param name="message">A message this receiver handed out.</param>
    public Task ReturnAsync(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Settle(message, "nack", static (receiver, m) => receiver.GiveBackAsync(m));
    }

    async Task GiveBackAsync(InboundMessage message)
    {
        // Forgotten first: the doorbell may wake our own fetch before the release call returns, and that
        // fetch must be free to take the entry again.
        Forget(message.EntryId);
        await SettleAsync(() => ReleaseAsync([(message.EntryId, KeepCount)])).ConfigureAwait(false);

        // Only a wake-up now: forgetting again could drop the entry our own fetch just took back.
        _wake.Set();
        TransportMetrics.Returned.Add(1, TransportMetrics.Queue(Queue));
    }

    /// <summary>Moves a message to the queue's dead-letter stream with a reason, atomically with its removal.</summary>
    /// <param name="message">A message this receiver handed out.</param>
    /// <param name="reason">Why; stored in the entry's <c>$dead-letter-reason</c> field.</param>
    public Task DeadLetterAsync(InboundMessage message, string reason)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return Settle(message, "dead_letter", async (receiver, m) =>
        {
            await receiver.DeadLetterEntryAsync(m.EntryId, reason, m.DeliveryCount).ConfigureAwait(false);
            receiver.Forget(m.EntryId);
        });
    }

    async Task<IReadOnlyList<bool>> AckBatchAsync(IReadOnlyList<string> entryIds)
    {
        var args = new RedisValue[2 + entryIds.Count];
        args[0] = Group;
        args[1] = _deleteOnAck;
        for (var i = 0; i < entryIds.Count; i++)
        {
            args[i + 2] = entryIds[i];
        }

        // In durable mode the batch's one WAIT confirms every ack in it: an ack a failover erased would
        // deliver its message again.
        var writes = _client.Writes;
        await SettleAsync(() => writes.WriteOnceAsync(
            $"acknowledgements of queue '{Queue}'",
            _keys.Stream,
            flags => Database.ScriptEvaluateAsync(LuaScripts.Ack, [_keys.Stream], args, flags),
            Stopwatch.GetTimestamp())).ConfigureAwait(false);
        return new bool[entryIds.Count];
    }

    async Task DeadLetterEntryAsync(string entryId, string reason, int deliveries)
    {
        await SettleAsync(() => Database.ScriptEvaluateAsync(
            LuaScripts.DeadLetter,
            [_keys.Stream, _keys.DeadLetter],
            [Group, entryId, reason, deliveries, _deleteOnAck])).ConfigureAwait(false);
        TransportMetrics.DeadLettered.Add(1, TransportMetrics.Queue(Queue));
        _logger.DeadLettered(Queue, entryId, reason);
    }

    /// <summary>Marks a release that keeps the entry's delivery count as it is.</summary>
    const int KeepCount = -1;

    /// <summary>Moves entries to the returned consumer, each keeping its count or getting the given one back.</summary>
    async Task<int> ReleaseAsync(IReadOnlyCollection<(string EntryId, int RestoreCount)> entries)
    {
        var args = new RedisValue[4 + (entries.Count * 2)];
        args[0] = Group;
        args[1] = ConsumerName;
        args[2] = ReturnedConsumer;
        args[3] = _keys.Doorbell.ToString();
        var i = 4;
        foreach (var (id, restore) in entries)
        {
            args[i++] = id;
            args[i++] = restore;
        }

        var released = await Database.ScriptEvaluateAsync(LuaScripts.Release, [_keys.Stream, _keys.Waiting], args).ConfigureAwait(false);
        return (int)released;
    }

    void Forget(string entryId)
    {
        _held.TryRemove(entryId, out _);
        if (_suspectsHeld.TryRemove(entryId, out _))
        {
            _claimWake.Set();
        }

        _wake.Set();
    }

    /// <summary>
    /// Retries a settlement across connection blips and failovers, a bounded number of times: a lost ack would
    /// mean the message is processed again after it is reclaimed (a duplicate, never a loss).
    /// </summary>
    async Task SettleAsync(Func<Task> settle)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await settle().ConfigureAwait(false);
                return;
            }
            // A short WAIT is not retried here: the guard already asked again for the whole WriteRetryTimeout.
            catch (Exception e) when (RedisFailure.IsTransient(e) && attempt < SettleAttempts)
            {
                _logger.SettleRetry(e, Queue, attempt);
                await Task.Delay(Backoff(attempt + 2)).ConfigureAwait(false);
            }
        }
    }
}
