using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// Samples the queues whose gauges this process reports: those its receivers consume, and those named in
/// <see cref="RedisStreamsOptions.GaugeQueues"/>. One background loop for the process, one read-only script call per
/// queue and interval, all pipelined, and only while a listener (OpenTelemetry, <c>dotnet-counters</c>, a
/// <see cref="MeterListener"/>) is subscribed to a queue gauge: with nobody listening it sends nothing to Redis.
/// </summary>
/// <remarks>
/// A queue watched by several clients of the process (two buses, or a MassTransit endpoint's client beside the
/// bus's) is sampled once, keyed by key prefix and queue. A sample that fails removes the queue's measurements until
/// one succeeds again: a gauge never reports an old number as the current one.
/// </remarks>
internal static class QueueGauges
{
    static readonly Lock Gate = new();
    static readonly Dictionary<(string Prefix, string Queue), Watched> Queues = [];
    static CancellationTokenSource? _stop;

    /// <summary>
    /// Starts sampling <paramref name="queue"/> for <paramref name="client"/> (unless its
    /// <see cref="RedisStreamsOptions.GaugeSampleInterval"/> is zero); dispose the result to stop.
    /// </summary>
    public static IDisposable? Watch(RedisStreamsClient client, string queue, string group)
    {
        var interval = client.Options.GaugeSampleInterval;
        if (interval <= TimeSpan.Zero)
        {
            return null;
        }

        var key = (client.Options.KeyPrefix, queue);
        lock (Gate)
        {
            if (!Queues.TryGetValue(key, out var watched))
            {
                watched = new Watched(queue, group);
                Queues[key] = watched;
            }

            var owner = new Owner(client, interval, key);
            watched.Owners.Add(owner);
            if (_stop is null)
            {
                _stop = new CancellationTokenSource();
                var stop = _stop.Token;
                _ = Task.Run(() => LoopAsync(stop), CancellationToken.None);
            }

            return owner;
        }
    }

    /// <summary>The latest value of every sampled queue, tagged with the queue name.</summary>
    public static IEnumerable<Measurement<long>> Observe(Func<QueueSample, long?> read)
    {
        foreach (var (queue, sample) in Snapshot())
        {
            if (read(sample) is { } value)
            {
                yield return new Measurement<long>(value, TransportMetrics.Queue(queue));
            }
        }
    }

    /// <summary>A duration of every sampled queue in seconds (0 when absent).</summary>
    public static IEnumerable<Measurement<double>> ObserveSeconds(Func<QueueSample, TimeSpan?> read)
    {
        foreach (var (queue, sample) in Snapshot())
        {
            yield return new Measurement<double>(read(sample)?.TotalSeconds ?? 0, TransportMetrics.Queue(queue));
        }
    }

    static List<(string Queue, QueueSample Sample)> Snapshot()
    {
        lock (Gate)
        {
            return [.. Queues.Values.Where(w => w.Latest is not null).Select(w => (w.Queue, w.Latest!.Value))];
        }
    }

    static async Task LoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TimeSpan wait;
            List<(Watched Queue, Owner By)> due = [];
            lock (Gate)
            {
                var now = DateTime.UtcNow;
                var enabled = TransportMetrics.QueueGaugesEnabled;
                wait = TimeSpan.FromSeconds(1);
                foreach (var watched in Queues.Values)
                {
                    if (!enabled)
                    {
                        // Nobody listens: drop the numbers, so a listener that comes later never sees old ones.
                        watched.Latest = null;
                        continue;
                    }

                    var owner = watched.Owners[0];
                    if (now >= watched.NextDue)
                    {
                        watched.NextDue = now + owner.Interval;
                        due.Add((watched, owner));
                    }

                    var until = watched.NextDue - now;
                    wait = until < wait ? until : wait;
                }
            }

            // Issued together, so StackExchange.Redis pipelines them: one round trip for all queues of a server.
            await Task.WhenAll(due.Select(d => SampleAsync(d.Queue, d.By))).ConfigureAwait(false);
            try
            {
                await Task.Delay(wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    static async Task SampleAsync(Watched watched, Owner owner)
    {
        try
        {
            var sample = await owner.Client.SampleQueueAsync(watched.Queue, watched.Group).ConfigureAwait(false);
            lock (Gate)
            {
                watched.Latest = sample;
            }

            if (Interlocked.Exchange(ref watched.Failing, 0) == 1)
            {
                owner.Logger.GaugeSamplingRecovered(watched.Queue);
            }
        }
#pragma warning disable CA1031 // The loop serves every queue: a failure is logged once and the gauges of this queue left out.
        catch (Exception e)
#pragma warning restore CA1031
        {
            lock (Gate)
            {
                watched.Latest = null;
            }

            if (Interlocked.Exchange(ref watched.Failing, 1) == 0)
            {
                owner.Logger.GaugeSamplingFailed(e, watched.Queue);
            }
        }
    }

    static void Release(Owner owner)
    {
        lock (Gate)
        {
            if (!Queues.TryGetValue(owner.Key, out var watched) || !watched.Owners.Remove(owner))
            {
                return;
            }

            if (watched.Owners.Count == 0)
            {
                Queues.Remove(owner.Key);
            }

            if (Queues.Count == 0 && _stop is not null)
            {
                _stop.Cancel();
                _stop.Dispose();
                _stop = null;
            }
        }
    }

    sealed class Watched(string queue, string group)
    {
        public string Queue { get; } = queue;

        public string Group { get; } = group;

        public List<Owner> Owners { get; } = [];

        public QueueSample? Latest { get; set; }

        public DateTime NextDue { get; set; }

        public int Failing;
    }

    sealed class Owner(RedisStreamsClient client, TimeSpan interval, (string, string) key) : IDisposable
    {
        public RedisStreamsClient Client { get; } = client;

        public TimeSpan Interval { get; } = interval;

        public (string Prefix, string Queue) Key { get; } = key;

        public ILogger Logger { get; } = client.LoggerFactory.CreateLogger(typeof(QueueGauges).FullName!);

        public void Dispose() => Release(this);
    }
}
