using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Receiving;
using StackExchange.Redis;

namespace RedisStreams.Transport.Subscriptions;

/// <summary>
/// The client's task that keeps its subscriptions and topic links in Redis. It checks every
/// <see cref="RedisStreamsOptions.SubscriptionCheckInterval"/>, and at once when Redis may have lost data: a
/// reconnect, a changed cluster or replication topology, a receiver that found its queue gone. Each check reads
/// the primaries' identities and the epochs of the topics this client asserted, and writes again what is
/// missing (<see cref="SubscriptionRegistry.RestoreAsync"/>). It starts with the client's first subscription or
/// link; a client that only publishes or consumes never runs it.
/// </summary>
internal sealed class RegistryWatchdog : IAsyncDisposable
{
    const string PeriodicCheck = "the periodic check";

    readonly IConnectionMultiplexer _multiplexer;
    readonly SubscriptionRegistry _registry;
    readonly TimeSpan _interval;
    readonly ILogger _logger;
    readonly ServerIdentities _identities = new();
    readonly AsyncSignal _wake = new();
    readonly CancellationTokenSource _stop = new();
    readonly EventHandler<ConnectionFailedEventArgs> _onRestored;
    readonly EventHandler<EndPointEventArgs> _onConfigurationChanged;
    string? _trigger;
    bool _checkEveryTopic;
    Task? _loop;
    int _state; // 0 idle, 1 running, 2 stopped

    public RegistryWatchdog(IConnectionMultiplexer multiplexer, SubscriptionRegistry registry, TimeSpan interval, ILogger logger)
    {
        _multiplexer = multiplexer;
        _registry = registry;
        _interval = interval;
        _logger = logger;
        _onRestored = (_, e) => Wake($"reconnected to {e.EndPoint}");
        _onConfigurationChanged = (_, e) => Wake($"the topology changed at {e.EndPoint}");
    }

    /// <summary>Starts watching, once; the first check runs at once and records who the servers are.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return;
        }

        _multiplexer.ConnectionRestored += _onRestored;
        _multiplexer.ConfigurationChanged += _onConfigurationChanged;
        Wake("the first subscription");
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Checks at once (if watching): Redis may have lost data.</summary>
    /// <param name="trigger">What suggested it, for the log.</param>
    public void Wake(string trigger)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            return;
        }

        Volatile.Write(ref _trigger, trigger);
        _wake.Set();
    }

    async Task LoopAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var trigger = PeriodicCheck;
            try
            {
                await _wake.WaitAsync(failures == 0 ? _interval : RetryDelay(failures), stop).ConfigureAwait(false);
                trigger = Interlocked.Exchange(ref _trigger, null) ?? PeriodicCheck;

                // Given up when the client is disposed: the check's reads and writes go through the write guard, which
                // keeps trying through an outage for WriteRetryTimeout, and disposing must not wait for that.
                await CheckAsync(trigger).WaitAsync(stop).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                _logger.SubscriptionCheckFailed(e, trigger, RetryDelay(failures));
            }
        }
    }

    /// <summary>Soon after a failure (Redis is probably coming back), never later than the interval.</summary>
    TimeSpan RetryDelay(int failures)
    {
        var backoff = TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures - 1, 6))));
        return backoff < _interval ? backoff : _interval;
    }

    async Task CheckAsync(string trigger)
    {
        if (!_registry.HasAssertions)
        {
            return;
        }

        foreach (var change in await _identities.RefreshAsync(_multiplexer).ConfigureAwait(false))
        {
            _logger.ServerChanged(change.EndPoint, change.Before, change.Now);

            // Kept until a check gets through: the identity is recorded, the loss may not be repaired yet.
            _checkEveryTopic = true;
        }

        await _registry.RestoreAsync(_checkEveryTopic, topic =>
        {
            var cause = topic.EpochLost
                ? "the topic's keys were gone: Redis restarted without persistence, failed over to an empty node, was flushed, evicted them, or someone deleted them"
                : "Redis restarted or failed over and lost writes made after its last snapshot or replication";
            _logger.SubscriptionsRestored(topic.Topic, string.Join(", ", topic.Queues), string.Join(", ", topic.Links), cause, trigger);
        }).ConfigureAwait(false);
        _checkEveryTopic = false;
    }

    /// <summary>Stops watching without waiting for a check in progress.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        _multiplexer.ConnectionRestored -= _onRestored;
        _multiplexer.ConfigurationChanged -= _onConfigurationChanged;
        _stop.Cancel();
    }

    /// <summary>Stops watching and waits for the loop to end (not for a check in progress, which is left to finish or fail).</summary>
    public async ValueTask DisposeAsync()
    {
        Stop();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }
}
