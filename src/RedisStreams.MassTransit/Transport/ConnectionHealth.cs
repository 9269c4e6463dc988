using System.Runtime.CompilerServices;
using MassTransit;
using MassTransit.Transports;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// Turns every endpoint of a bus Unhealthy, at once, when the bus's connection to Redis has been down for
/// <see cref="Grace"/>, and the idle ones back to "ready (not started)" when it returns.
/// </summary>
/// <remarks>
/// MassTransit calls a bus Unhealthy only when every endpoint is unhappy, and Degraded (HTTP 200 on a health
/// endpoint) while some are not. The bus endpoint is started only when a request client first needs it and reports
/// "ready (not started)" meanwhile: with it Healthy, a bus that lost Redis stayed Degraded for as long as Redis was
/// down, and a bus with no consumers stayed Healthy. Each receiving endpoint also faults itself when its receiver
/// loses Redis (<c>RedisStreamsMessageReceiver</c>), which covers a queue whose cluster node alone is lost; reporting
/// every endpoint here, in one pass, keeps the bus from passing through Degraded on its way to Unhealthy. Receiving
/// endpoints report Ready themselves once their receiver starts again.
/// </remarks>
internal sealed class ConnectionHealth
{
    /// <summary>As long as a receiving endpoint tolerates a lost connection before it faults.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    // Weak: endpoints connected and disconnected at runtime must not be kept alive by the host.
    readonly ConditionalWeakTable<RedisStreamsReceiveEndpointContext, object?> _endpoints = [];
    readonly Lock _gate = new();
    readonly List<(RedisStreamsReceiveEndpointContext Endpoint, int Starts, bool Running)> _faulted = [];

    /// <summary>Adds an endpoint of the bus.</summary>
    public void Add(RedisStreamsReceiveEndpointContext endpoint) => _endpoints.AddOrUpdate(endpoint, null);

    /// <summary>Follows the bus's connection until the result is disposed.</summary>
    public IDisposable Watch(IConnectionMultiplexer multiplexer) => new Watcher(this, multiplexer);

    async Task LostAsync(IConnectionMultiplexer multiplexer, CancellationToken restored)
    {
        try
        {
            await Task.Delay(Grace, restored).ConfigureAwait(false);
            if (multiplexer.IsConnected)
            {
                return;
            }

            await FaultAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
#pragma warning disable CA1031 // Runs on its own: what an observer throws is logged, never lost unobserved.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogContext.Warning?.Log(e, "Reporting the endpoints faulted after the Redis connection was lost failed");
        }
    }

    async Task FaultAsync()
    {
        // Collected first, then reported in one tight pass: a health check in between would see a Degraded bus.
        var endpoints = new List<(RedisStreamsReceiveEndpointContext Endpoint, int Starts, bool Running)>();
        foreach (var (endpoint, _) in _endpoints)
        {
            // Between two receivers (restarting after a fault), or starting its first, an endpoint reports its own fault.
            if (endpoint.ReceiverRunning || IsWaitingToStart(endpoint))
            {
                endpoints.Add((endpoint, endpoint.ReceiverStarts, endpoint.ReceiverRunning));
            }
        }

        lock (_gate)
        {
            _faulted.AddRange(endpoints);
        }

        foreach (var (endpoint, _, running) in endpoints)
        {
            var fault = new ConnectionException(
                running
                    ? $"Receiving from {endpoint.InputAddress} stopped: the bus lost its Redis connection"
                    : $"The endpoint {endpoint.InputAddress} cannot start: the bus lost its Redis connection",
                true);
            await endpoint.TransportObservers.NotifyFaulted(endpoint.InputAddress, fault).ConfigureAwait(false);
        }
    }

    async Task RestoredAsync()
    {
        List<(RedisStreamsReceiveEndpointContext Endpoint, int Starts, bool Running)> faulted;
        lock (_gate)
        {
            faulted = [.. _faulted];
            _faulted.Clear();
        }

        try
        {
            foreach (var (endpoint, starts, running) in faulted)
            {
                if (IsWaitingToStart(endpoint))
                {
                    await endpoint.TransportObservers.NotifyReady(endpoint.InputAddress, false).ConfigureAwait(false);
                }
                else if (running && endpoint.ReceiverRunning && endpoint.ReceiverStarts == starts)
                {
                    // Its receiver rode out the outage (it came back before the receiver gave up).
                    await endpoint.TransportObservers.NotifyReady(endpoint.InputAddress).ConfigureAwait(false);
                }

                // Otherwise a new receiver is starting and reports Ready itself.
            }
        }
#pragma warning disable CA1031 // Runs on its own: what an observer throws is logged, never lost unobserved.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogContext.Warning?.Log(e, "Reporting the endpoints ready after the Redis connection came back failed");
        }
    }

    /// <summary>
    /// An endpoint MassTransit starts only once something connects to its pipe (the bus endpoint, for request clients):
    /// it reports "ready (not started)" until then.
    /// </summary>
    static bool IsWaitingToStart(RedisStreamsReceiveEndpointContext endpoint) =>
        endpoint.ReceiverStarts == 0 && !endpoint.ReceivePipe.Connected.IsCompleted;

    sealed class Watcher : IDisposable
    {
        readonly ConnectionHealth _health;
        readonly IConnectionMultiplexer _multiplexer;
        readonly Lock _gate = new();
        CancellationTokenSource? _outage;

        public Watcher(ConnectionHealth health, IConnectionMultiplexer multiplexer)
        {
            _health = health;
            _multiplexer = multiplexer;
            multiplexer.ConnectionFailed += OnFailed;
            multiplexer.ConnectionRestored += OnRestored;
        }

        void OnFailed(object? sender, ConnectionFailedEventArgs e)
        {
            if (e.ConnectionType != ConnectionType.Interactive || _multiplexer.IsConnected)
            {
                return;
            }

            lock (_gate)
            {
                if (_outage is not null)
                {
                    return;
                }

                _outage = new CancellationTokenSource();
                _ = _health.LostAsync(_multiplexer, _outage.Token);
            }
        }

        void OnRestored(object? sender, ConnectionFailedEventArgs e)
        {
            if (e.ConnectionType != ConnectionType.Interactive || !_multiplexer.IsConnected)
            {
                return;
            }

            EndOutage();
            _ = _health.RestoredAsync();
        }

        void EndOutage()
        {
            lock (_gate)
            {
                _outage?.Cancel();
                _outage?.Dispose();
                _outage = null;
            }
        }

        public void Dispose()
        {
            _multiplexer.ConnectionFailed -= OnFailed;
            _multiplexer.ConnectionRestored -= OnRestored;
            EndOutage();
        }
    }
}
