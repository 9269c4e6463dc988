using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class QueueReceiver
{
    const int BatchSize = 100;

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

                // An entry whose ack landed meanwhile is gone as it should be: only held ones count as lost.
                var lost = ((string[])(await Database.ScriptEvaluateAsync(LuaScripts.Renew, [_keys.Stream], args).ConfigureAwait(false))!)
                    .Where(_held.ContainsKey)
                    .ToArray();
                if (lost.Length > 0)
                {
                    foreach (var id in lost)
                    {
                        Forget(id);
                    }

                    TransportMetrics.LostOwnership.Add(lost.Length, TransportMetrics.Queue(Queue));
                    _logger.LostOwnership(Queue, ConsumerName, lost.Length);
                    _wake.Set();
                }
            }
        }).ConfigureAwait(false);
    }

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
                try
                {
                    var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
                        LuaScripts.Claim,
                        [_keys.Stream, _keys.DeadLetter],
                        [Group, ConsumerName, (long)_options.ClaimIdleTime.TotalMilliseconds, capacity, _options.MaxDeliveryCount, _deleteOnAck]).ConfigureAwait(false))!;
                    var entries = (RedisResult[])result[0]!;
                    Account((int)result[1], (int)result[2]);
                    var suspect = (int)result[3] == 1 && entries.Length == 1 ? (string)((RedisResult[])entries[0]!)[0]! : null;
                    if (suspect is not null)
                    {
                        _suspectsHeld.TryAdd(suspect, 0);
                    }

                    await AdmitAsync(entries, reclaimed: true).ConfigureAwait(false);
                    if (suspect is not null && !_held.ContainsKey(suspect))
                    {
                        // Dead-lettered as unreadable, or settled already: not held, so not blocking further claims.
                        _suspectsHeld.TryRemove(suspect, out _);
                    }

                    // A full batch, or a batch cut short by a suspect, means more may be waiting.
                    foundAll = entries.Length + (int)result[1] + (int)result[2] >= capacity || (int)result[3] == 1;
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    _logger.MaintenanceFailed(e, "reclaim", Queue);
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
                    [_keys.Stream, _keys.Delayed, _keys.DelayedData, _keys.Waiting],
                    [_keys.Doorbell.ToString(), BatchSize]).ConfigureAwait(false))!;
                var moved = (int)result[0];
                var nextDue = (long)result[1];
                var now = (long)result[2];
                if (moved > 0)
                {
                    var tags = TransportMetrics.Queue(Queue);
                    TransportMetrics.DelayedMoved.Add(moved, tags);
                    TransportMetrics.DelayedLateness.Record((double)(long)result[3] / moved, tags);
                }

                if (moved == BatchSize)
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
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _logger.MaintenanceFailed(e, task, Queue);
        }
    }
}
