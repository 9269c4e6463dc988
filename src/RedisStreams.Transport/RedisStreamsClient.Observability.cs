using System.Collections.Concurrent;
using RedisStreams.Transport.Diagnostics;

namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    readonly ConcurrentDictionary<QueueReceiver, IDisposable?> _running = new();
    readonly List<IDisposable> _gaugeWatches = [];

    /// <summary>The receivers of this client that are running: what its health check looks at.</summary>
    internal ICollection<QueueReceiver> RunningReceivers => _running.Keys;

    /// <summary>A receiver started: its queue joins the gauges and the health check.</summary>
    internal void OnReceiverStarted(QueueReceiver receiver) =>
        _running[receiver] = QueueGauges.Watch(this, receiver.Queue, receiver.Group);

    /// <summary>A receiver stopped.</summary>
    internal void OnReceiverStopped(QueueReceiver receiver)
    {
        if (_running.TryRemove(receiver, out var watch))
        {
            watch?.Dispose();
        }
    }

    /// <summary>Starts the gauges of the queues named in <see cref="RedisStreamsOptions.GaugeQueues"/>.</summary>
    void WatchConfiguredQueues()
    {
        foreach (var queue in Options.GaugeQueues)
        {
            if (QueueGauges.Watch(this, queue, queue) is { } watch)
            {
                _gaugeWatches.Add(watch);
            }
        }
    }

    void StopWatching()
    {
        lock (_gaugeWatches)
        {
            foreach (var watch in _gaugeWatches)
            {
                watch.Dispose();
            }

            _gaugeWatches.Clear();
        }
    }
}
