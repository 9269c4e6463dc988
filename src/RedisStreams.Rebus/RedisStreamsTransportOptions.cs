using Microsoft.Extensions.Logging;
using RedisStreams.Transport;

namespace RedisStreams.Rebus;

/// <summary>
/// Settings of the Rebus transport on Redis Streams, returned by <c>UseRedisStreams</c> for fluent
/// configuration. Read when the bus starts, so every call made before <c>Start()</c> counts.
/// </summary>
public sealed class RedisStreamsTransportOptions
{
    readonly RedisStreamsOptions _engine = new();
    readonly List<Action<RedisStreamsOptions>> _engineTweaks = [];

    /// <summary>The longest <see cref="RedisStreamsTransport.Receive"/> waits on an empty queue before it returns <c>null</c>.</summary>
    internal TimeSpan MaxReceiveWait { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where the engine logs; <c>null</c> for nowhere.</summary>
    internal ILoggerFactory? EngineLoggerFactory { get; private set; }

    /// <summary>
    /// How many messages each bus instance takes from its queue ahead of its workers. The default value is 16.
    /// </summary>
    /// <param name="count">Between 1 and 10000.</param>
    public RedisStreamsTransportOptions Prefetch(int count)
    {
        if (count is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count,
                "Prefetch must be between 1 and 10000. Use about the bus's MaxParallelism (e.g. 5-50): more only holds messages other instances could be handling.");
        }

        _engine.PrefetchCount = count;
        return this;
    }

    /// <summary>
    /// The prefix of every Redis key the transport uses, so several applications can share one Redis. Every
    /// bus that talks to another must use the same prefix. The default value is <c>rs</c>.
    /// </summary>
    /// <param name="prefix">Letters, digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>:</c>.</param>
    public RedisStreamsTransportOptions KeyPrefix(string prefix)
    {
        if (string.IsNullOrWhiteSpace(prefix))
        {
            throw new ArgumentException("The key prefix is empty. Leave the default ('rs') or give a short name such as 'orders'.", nameof(prefix));
        }

        _engine.KeyPrefix = prefix;
        return this;
    }

    /// <summary>
    /// How long a message may stay with a bus instance that shows no sign of life (crashed, partitioned) before
    /// another instance takes it over. Live instances renew what they hold, so long handlers are safe. The
    /// default value is one minute.
    /// </summary>
    /// <param name="idleTime">At least one second.</param>
    public RedisStreamsTransportOptions ClaimIdleTime(TimeSpan idleTime)
    {
        if (idleTime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(idleTime), idleTime,
                "ClaimIdleTime must be at least one second; a shorter one would take messages away from instances that are alive. Use e.g. TimeSpan.FromSeconds(30).");
        }

        _engine.ClaimIdleTime = idleTime;
        return this;
    }

    /// <summary>
    /// The transport's own crash-loop guard: a message Redis delivered more often than this goes to the queue's
    /// dead-letter stream. Keep it above Rebus's retry limit (5 by default, 10 with second-level retries) so Rebus
    /// sees and routes ordinary failures to its <c>error</c> queue first. 0 turns the guard off. The default value is 20.
    /// </summary>
    /// <param name="count">0 or more.</param>
    public RedisStreamsTransportOptions MaxDeliveryCount(int count)
    {
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count,
                "MaxDeliveryCount must be 0 (no limit) or more. Use a value above Rebus's MaxDeliveryAttempts, e.g. 20.");
        }

        _engine.MaxDeliveryCount = count;
        return this;
    }

    /// <summary>
    /// The longest a receive waits on an empty queue before giving the worker a <c>null</c> (new messages wake it
    /// at once). The default value is one second.
    /// </summary>
    /// <param name="wait">Between 10 ms and 30 s.</param>
    public RedisStreamsTransportOptions ReceiveWait(TimeSpan wait)
    {
        if (wait < TimeSpan.FromMilliseconds(10) || wait > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(wait), wait,
                "ReceiveWait must be between 10 ms and 30 s; Rebus expects an empty queue to answer promptly. Use e.g. TimeSpan.FromSeconds(1).");
        }

        MaxReceiveWait = wait;
        return this;
    }

    /// <summary>
    /// Durable writes: a send, publish, deferral, acknowledgement or subscription counts as done only once Redis's
    /// <c>WAIT</c> reports at least <paramref name="replicas"/> replicas holding it; otherwise the send fails with
    /// <see cref="RedisStreamsReplicationException"/> (and the transaction with it). Closes the window in which a
    /// failover erases writes the old primary acknowledged. Off by default.
    /// </summary>
    /// <param name="replicas">1 or more (0 turns it off).</param>
    /// <param name="timeout">How long one <c>WAIT</c> waits for them; one second when <c>null</c>.</param>
    public RedisStreamsTransportOptions RequireReplicas(int replicas, TimeSpan? timeout = null)
    {
        _engine.RequiredReplicas = replicas;
        if (timeout is { } wait)
        {
            _engine.ReplicationTimeout = wait;
        }

        return this;
    }

    /// <summary>
    /// How long a send keeps trying through an outage or a failover before it fails with
    /// <see cref="RedisStreamsUnavailableException"/>. Redis out of memory fails at once. The default value is 10 seconds.
    /// </summary>
    /// <param name="timeout">Between 100 ms and 10 minutes.</param>
    public RedisStreamsTransportOptions WriteRetryTimeout(TimeSpan timeout)
    {
        _engine.WriteRetryTimeout = timeout;
        return this;
    }

    /// <summary>
    /// Runs on a Redis whose <c>maxmemory-policy</c> evicts keys, with a logged warning, instead of refusing to
    /// start. Such a server deletes queues under memory pressure, losing their messages silently: prefer setting
    /// the policy to <c>noeviction</c>.
    /// </summary>
    public RedisStreamsTransportOptions AllowEvictingPolicy()
    {
        _engine.AllowEvictingPolicy = true;
        return this;
    }

    /// <summary>
    /// Makes the bus fail to start when Redis does not answer within <paramref name="wait"/>, for applications that
    /// prefer to fail fast (and let an orchestrator restart them) over running without their broker. Without it the
    /// bus starts while Redis is down, logs a warning, and begins receiving when Redis answers.
    /// </summary>
    /// <param name="wait">How long the start waits for Redis; at least zero (no wait: Redis must answer at once).</param>
    public RedisStreamsTransportOptions RequireRedisAtStartup(TimeSpan wait)
    {
        if (wait < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(wait), wait,
                "RequireRedisAtStartup needs a wait of zero or more, e.g. TimeSpan.FromSeconds(30).");
        }

        RedisRequiredAtStartupWithin = wait;
        return this;
    }

    /// <summary>How long the bus's start waits for Redis before failing; <c>null</c> to start without it.</summary>
    internal TimeSpan? RedisRequiredAtStartupWithin { get; private set; }

    /// <summary>Applies settings bound from configuration; each value set is checked as its method checks it.</summary>
    /// <param name="settings">The settings; <c>null</c> properties keep their current values.</param>
    public RedisStreamsTransportOptions Apply(RedisStreamsTransportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Prefetch is { } prefetch)
        {
            Prefetch(prefetch);
        }

        if (settings.KeyPrefix is { } prefix)
        {
            KeyPrefix(prefix);
        }

        if (settings.ClaimIdleTime is { } claim)
        {
            ClaimIdleTime(claim);
        }

        if (settings.MaxDeliveryCount is { } max)
        {
            MaxDeliveryCount(max);
        }

        if (settings.ReceiveWait is { } wait)
        {
            ReceiveWait(wait);
        }

        if (settings.RequireRedisAtStartup is { } startup)
        {
            RequireRedisAtStartup(startup);
        }

        if (settings.WriteRetryTimeout is { } retry)
        {
            WriteRetryTimeout(retry);
        }

        if (settings.RequiredReplicas is { } replicas)
        {
            RequireReplicas(replicas, settings.ReplicationTimeout);
        }
        else if (settings.ReplicationTimeout is { } replicationTimeout)
        {
            _engine.ReplicationTimeout = replicationTimeout;
        }

        if (settings.AllowEvictingPolicy == true)
        {
            AllowEvictingPolicy();
        }

        return this;
    }

    /// <summary>Sends the engine's own logs (reclaims, reconnects, dead-lettering) to a Microsoft.Extensions.Logging factory.</summary>
    /// <param name="loggerFactory">The logger factory.</param>
    public RedisStreamsTransportOptions LogEngineTo(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        EngineLoggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Adjusts any other engine setting (idle polling, retention, consumer expiry, ...).</summary>
    /// <param name="configure">Changes the engine options; runs when the bus starts.</param>
    public RedisStreamsTransportOptions ConfigureEngine(Action<RedisStreamsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _engineTweaks.Add(configure);
        return this;
    }

    /// <summary>The engine options these settings describe.</summary>
    internal RedisStreamsOptions ToEngineOptions()
    {
        var options = _engine.Clone();
        foreach (var tweak in _engineTweaks)
        {
            tweak(options);
        }

        return options;
    }
}
