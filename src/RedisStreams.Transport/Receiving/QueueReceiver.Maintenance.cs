using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class QueueReceiver
{
    const int BatchSize = 100;

    // Where the scan for orphaned scheduled payloads goes on; "0" when none is under way.
    string _orphanCursor = "0";

    /// <summary>Keeps held messages from being reclaimed while handlers work on them.</summary>
    async Task RenewLoopAsync(CancellationToken stop)
    {
        await RunPeriodicallyAsync("renew", _options.RenewInterval, stop, async () =>
        {
            foreach (var chunk in _held.Keys.Concat(_acking.Keys).Chunk(500))
            {
                var args = new RedisValue[2 + chunk.Length];
                args[0] = Group;
                args[1] = ConsumerName;
                for (var i = 0; i < chunk.Length; i++)
                {
                    args[i + 2] = chunk[i];
                }

                var result = (RedisResult[])(await Database.ScriptEvaluateAsync(LuaScripts.Renew, [_keys.Stream], args).ConfigureAwait(false))!;
                var taken = StillHeld(result[0]);
                var gone = StillHeld(result[1]);
                var settled = StillHeld(result[2]);
                if (taken.Length > 0)
                {
                    TransportMetrics.LostOwnership.Add(taken.Length, TransportMetrics.Queue(Queue));
                    _logger.LostOwnership(Queue, ConsumerName, taken.Length);
                }

                if (gone.Length > 0)
                {
                    _logger.HeldEntriesGone(Queue, ConsumerName, gone.Length);
                }

                if (settled.Length > 0)
                {
                    _logger.HeldEntriesSettledElsewhere(Queue, Group, ConsumerName, settled.Length);
                }

                foreach (var id in taken.Concat(gone).Concat(settled))
                {
                    Forget(id);
                }
            }
        }).ConfigureAwait(false);
    }

    /// <summary>An entry whose ack landed meanwhile is gone as it should be: only entries still held count as lost.</summary>
    string[] StillHeld(RedisResult ids) => [.. ((string[])ids!).Where(_held.ContainsKey)];

    /// <summary>
    /// Takes over messages of consumers that stopped renewing them (their process died or hung). A suspect
    /// (delivered twice or more already) comes alone, and nothing more is claimed while one is held: a message
    /// that kills its consumer must not drag the same neighbours to the delivery limit with it.
    /// </summary>
    async Task ClaimLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var capacity = Math.Min(BatchSize, PrefetchCount - _held.Count);
            var foundAll = false;
            if (_suspectsHeld.IsEmpty && capacity > 0)
            {
                string? suspect = null;
                try
                {
                    var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
                        LuaScripts.Claim,
                        [_keys.Stream, _keys.DeadLetter],
                        [Group, ConsumerName, (long)_options.ClaimIdleTime.TotalMilliseconds, capacity, _options.MaxDeliveryCount, _deleteOnAck]).ConfigureAwait(false))!;
                    var entries = (RedisResult[])result[0]!;
                    Account((int)result[1], (int)result[2]);
                    var isolated = LogIsolated((RedisResult[])result[4]!);
                    suspect = (int)result[3] == 1 && entries.Length == 1 ? (string)((RedisResult[])entries[0]!)[0]! : null;
                    if (suspect is not null)
                    {
                        _suspectsHeld.TryAdd(suspect, 0);
                    }

                    await AdmitAsync(entries, reclaimed: true).ConfigureAwait(false);

                    // A full batch, or a batch cut short by a suspect, means more may be waiting.
                    foundAll = entries.Length + (int)result[1] + (int)result[2] + isolated >= capacity || (int)result[3] == 1;
                }
#pragma warning disable CA1031 // The reclaim loop must outlive every failure: logged, and tried again on the next round.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _logger.MaintenanceFailed(e, "reclaim", Queue);
                }
                finally
                {
                    // A suspect that was dead-lettered, isolated or settled already is not held: it blocks nothing.
                    if (suspect is not null && !_held.ContainsKey(suspect))
                    {
                        _suspectsHeld.TryRemove(suspect, out _);
                    }
                }
            }

            try
            {
                await _claimWake.WaitAsync(foundAll ? TimeSpan.FromMilliseconds(10) : _options.ClaimCheckInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Moves due delayed messages into the stream, waking when the earliest is due.</summary>
    async Task DelayedLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var wait = _options.DelayedPollInterval;
            try
            {
                var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
                    LuaScripts.MoveDue,
                    [_keys.Stream, _keys.Delayed, _keys.DelayedData, _keys.Waiting, _keys.Oversized, _keys.DeadLetter],
                    [_keys.Doorbell.ToString(), BatchSize]).ConfigureAwait(false))!;
                var moved = (int)result[0];
                var nextDue = (long)result[1];
                var now = (long)result[2];
                var staged = (RedisValue[])result[4]!;
                var missing = (string[])result[5]!;
                var unreadable = (string[])result[6]!;
                var stagedWaiting = (long)result[7];
                var tags = TransportMetrics.Queue(Queue);
                if (moved > 0)
                {
                    TransportMetrics.DelayedLateness.Record((double)(long)result[3] / moved, tags);
                }

                moved += await _oversized.WriteStagedAsync(staged).ConfigureAwait(false);
                if (stagedWaiting > staged.Length)
                {
                    moved += await _oversized.WriteLeftoversAsync().ConfigureAwait(false);
                }

                TransportMetrics.DelayedMoved.Add(moved, tags);
                ReportBrokenSchedules(missing, unreadable);
                if ((long)result[8] == 1 || _orphanCursor != "0")
                {
                    await SweepOrphanedPayloadsAsync().ConfigureAwait(false);
                }

                // A full batch means more may be due already.
                if ((int)result[0] + staged.Length + missing.Length + unreadable.Length >= BatchSize)
                {
                    continue;
                }

                if (nextDue >= 0)
                {
                    var untilDue = TimeSpan.FromMilliseconds(Math.Max(0, nextDue - now));
                    wait = untilDue < wait ? untilDue : wait;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.MaintenanceFailed(e, "delayed delivery", Queue);
                wait = TimeSpan.FromSeconds(1);
            }

            try
            {
                await _delayedWake.WaitAsync(wait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    void ReportBrokenSchedules(string[] missing, string[] unreadable)
    {
        if (missing.Length > 0)
        {
            _logger.ScheduledPayloadMissing(Queue, missing.Length, string.Join(", ", missing));
        }

        if (unreadable.Length > 0)
        {
            TransportMetrics.DeadLettered.Add(unreadable.Length, TransportMetrics.Queue(Queue));
            _logger.ScheduledPayloadUnreadable(Queue, unreadable.Length, string.Join(", ", unreadable));
        }
    }

    /// <summary>
    /// One page of the scan for scheduled payloads whose due time is gone (the delayed set was deleted or lost):
    /// they go to the dead-letter stream rather than stay in the payload hash for ever. Runs only while the hash
    /// holds more payloads than the set holds tokens, or a scan is under way.
    /// </summary>
    async Task SweepOrphanedPayloadsAsync()
    {
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
            LuaScripts.SweepDelayed,
            [_keys.Delayed, _keys.DelayedData, _keys.DeadLetter],
            [_orphanCursor, BatchSize]).ConfigureAwait(false))!;
        _orphanCursor = (string)result[0]!;
        var orphans = (long)result[1];
        if (orphans > 0)
        {
            TransportMetrics.DeadLettered.Add(orphans, TransportMetrics.Queue(Queue));
            _logger.ScheduledPayloadsOrphaned(Queue, orphans);
        }
    }

    /// <summary>Removes consumers of stopped or dead instances that hold nothing.</summary>
    async Task SweepLoopAsync(CancellationToken stop)
    {
        await RunPeriodicallyAsync("consumer sweep", _options.ConsumerSweepInterval, stop, async () =>
        {
            var removed = (long)await Database.ScriptEvaluateAsync(
                LuaScripts.Leave,
                [_keys.Stream],
                [Group, (long)_options.ConsumerExpiry.TotalMilliseconds, ConsumerName, ReturnedConsumer]).ConfigureAwait(false);
            if (removed > 0)
            {
                _logger.ConsumersRemoved(Queue, Group, removed);
            }
        }, runFirst: true).ConfigureAwait(false);
    }

    /// <summary>Retention mode: trims acknowledged history, never what a group still needs.</summary>
    async Task TrimLoopAsync(CancellationToken stop)
    {
        var retention = _options.Retention!;
        await RunPeriodicallyAsync("trim", _options.TrimInterval, stop, async () =>
        {
            var trimmed = (long)await Database.ScriptEvaluateAsync(
                LuaScripts.Trim,
                [_keys.Stream],
                [retention.MaxLengthOrZero, retention.MaxAgeMillisecondsOrZero, 10_000]).ConfigureAwait(false);
            if (trimmed > 0)
            {
                _logger.Trimmed(Queue, trimmed);
            }
        }).ConfigureAwait(false);
    }

    async Task RunPeriodicallyAsync(string task, TimeSpan interval, CancellationToken stop, Func<Task> work, bool runFirst = false)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            if (runFirst)
            {
                await RunOnceAsync(task, work).ConfigureAwait(false);
            }

            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await RunOnceAsync(task, work).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task RunOnceAsync(string task, Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A background task must outlive every failure: logged, and run again on the next tick.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.MaintenanceFailed(e, task, Queue);
        }
    }
}
