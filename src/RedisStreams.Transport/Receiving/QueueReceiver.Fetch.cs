using System.Diagnostics;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Scripts;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class QueueReceiver
{
    async Task PumpAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var capacity = PrefetchCount - _held.Count;
                if (capacity <= 0 || (capacity < _refillThreshold && _buffer.Reader.Count > 0))
                {
                    await _wake.WaitAsync(_options.IdlePollInterval, stop).ConfigureAwait(false);
                    continue;
                }

                var drained = await FetchAsync(capacity).ConfigureAwait(false);
                if (failures > 0)
                {
                    _logger.FetchRecovered(Queue, failures);
                    failures = 0;
                }

                Health = Health.IsHealthy ? Health : new ReceiverHealth(true, null, DateTimeOffset.UtcNow);
                if (drained)
                {
                    await _wake.WaitAsync(_options.IdlePollInterval, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                var delay = Backoff(failures);
                if (Health.IsHealthy)
                {
                    Health = new ReceiverHealth(false, $"receiving from queue '{Queue}' fails: {e.Message}", DateTimeOffset.UtcNow);
                }

                _logger.FetchFailed(e, Queue, delay);
                try
                {
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    static TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 50 * Math.Pow(2, Math.Min(failures, 10))));

    /// <summary>Fetches up to <paramref name="count"/> entries; returns <c>true</c> when the queue ran dry.</summary>
    async Task<bool> FetchAsync(int count)
    {
        // Checked again after every reconnect: a failover may have brought a server that evicts.
        await _client.EvictionPolicy.EnsureAsync().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var waitingTtl = (long)(_options.IdlePollInterval.TotalMilliseconds * 3);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
            LuaScripts.Fetch,
            [_keys.Stream, _keys.DeadLetter, _keys.Waiting],
            [Group, ConsumerName, count, _options.MaxDeliveryCount, ReturnedConsumer, _deleteOnAck, waitingTtl]).ConfigureAwait(false))!;
        TransportMetrics.FetchDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, TransportMetrics.Queue(Queue));

        var entries = (RedisResult[])result[0]!;
        var expired = (int)result[1];
        var deadLettered = (int)result[2];
        if ((int)result[3] == 1)
        {
            _logger.Reprovisioned(Queue, Group);

            // What vanished with the queue may include the subscriptions that fill it.
            _client.SuspectDataLoss($"queue {Queue} had lost its stream or group");
        }

        Account(expired, deadLettered);
        var isolated = LogIsolated((RedisResult[])result[4]!);
        await AdmitAsync(entries, reclaimed: false).ConfigureAwait(false);
        return entries.Length + expired + deadLettered + isolated < count;
    }

    /// <summary>Logs entries a script could not admit (they stay pending and come back after the claim idle time).</summary>
    /// <returns>How many there were.</returns>
    int LogIsolated(RedisResult[] isolated)
    {
        foreach (var raw in isolated)
        {
            var entry = (RedisResult[])raw!;
            _logger.EntryIsolated(Queue, (string)entry[0]!, (string)entry[1]!, _options.ClaimIdleTime);
        }

        return isolated.Length;
    }

    void Account(int expired, int deadLettered)
    {
        var tags = TransportMetrics.Queue(Queue);
        if (expired > 0)
        {
            TransportMetrics.Expired.Add(expired, tags);
            _logger.ExpiredDiscarded(Queue, expired);
        }

        if (deadLettered > 0)
        {
            TransportMetrics.DeadLettered.Add(deadLettered, tags);
            _logger.DeadLetteredCrashLoop(Queue, deadLettered, _options.MaxDeliveryCount);
        }
    }

    /// <summary>
    /// Turns script results into messages; entries that are not ours go to the dead-letter stream. An entry that
    /// fails either way is logged and left pending (it comes back after the claim idle time): it never keeps the
    /// entries after it from being handed out.
    /// </summary>
    async Task AdmitAsync(RedisResult[] entries, bool reclaimed)
    {
        var admitted = 0;
        foreach (var raw in entries)
        {
            var entry = (RedisResult[])raw!;
            var id = (string)entry[0]!;
            try
            {
                admitted += await AdmitOneAsync(id, (RedisResult[])entry[1]!, (int)entry[2]).ConfigureAwait(false) ? 1 : 0;
            }
#pragma warning disable CA1031 // Whatever failed for this entry is logged, and it is tried again later; its batch goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.EntryIsolated(Queue, id, e.Message, _options.ClaimIdleTime);
            }
        }

        if (admitted > 0)
        {
            var tags = TransportMetrics.Queue(Queue);
            TransportMetrics.Received.Add(admitted, tags);
            if (reclaimed)
            {
                TransportMetrics.Reclaimed.Add(admitted, tags);
                _logger.Reclaimed(Queue, admitted, _options.ClaimIdleTime);
            }
        }
    }

    /// <summary>Hands one entry out, or dead-letters it when it is not ours; <c>true</c> when it was handed out.</summary>
    async Task<bool> AdmitOneAsync(string id, RedisResult[] fields, int deliveries)
    {
        if (!StreamFields.TryDecode(fields, out var headers, out var body, out var transportFields, out var reason))
        {
            await DeadLetterEntryAsync(id, $"malformed entry: {reason}", deliveries).ConfigureAwait(false);
            return false;
        }

        var message = new InboundMessage(Queue, id, headers, body, deliveries, transportFields);

        // Never again while our own ack of it is on its way.
        if (_acking.ContainsKey(id) || !_held.TryAdd(id, message))
        {
            return false;
        }

        _buffer.Writer.TryWrite(message);
        return true;
    }
}
