namespace RedisStreams.Transport;

/// <summary>Settings of the Redis Streams engine. Every value has a production default.</summary>
public sealed class RedisStreamsOptions
{
    string _keyPrefix = "rs";
    int _prefetchCount = 16;
    TimeSpan _claimIdleTime = TimeSpan.FromMinutes(1);
    int _maxDeliveryCount = 20;
    TimeSpan _idlePollInterval = TimeSpan.FromSeconds(10);
    TimeSpan _consumerExpiry = TimeSpan.FromMinutes(10);
    TimeSpan _delayedPollInterval = TimeSpan.FromSeconds(10);
    TimeSpan _trimInterval = TimeSpan.FromSeconds(5);
    int _requiredReplicas;
    TimeSpan _replicationTimeout = TimeSpan.FromSeconds(1);
    TimeSpan _writeRetryTimeout = TimeSpan.FromSeconds(10);
    TimeSpan _subscriptionCheckInterval = TimeSpan.FromSeconds(10);
    TimeSpan _gaugeSampleInterval = TimeSpan.FromSeconds(15);
    IReadOnlyCollection<string> _gaugeQueues = [];

    /// <summary>
    /// The prefix of every key and channel the engine uses, so several applications can share one Redis.
    /// The default value is <c>rs</c>. Letters, digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>:</c>.
    /// </summary>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set => _keyPrefix = Naming.KeyPrefix.Validate(value);
    }

    /// <summary>
    /// How many messages one receiver holds at most, handed out or buffered. The default value is 16.
    /// </summary>
    public int PrefetchCount
    {
        get => _prefetchCount;
        set => _prefetchCount = value is >= 1 and <= 10_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(PrefetchCount), value, "PrefetchCount must be between 1 and 10000.");
    }

    /// <summary>
    /// How long an entry may sit with a consumer that shows no sign of life before another consumer takes it
    /// over. Live consumers renew what they hold every third of this, so a long handler is never processed
    /// twice. The default value is one minute; at least one second.
    /// </summary>
    public TimeSpan ClaimIdleTime
    {
        get => _claimIdleTime;
        set => _claimIdleTime = value >= TimeSpan.FromSeconds(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ClaimIdleTime), value, "ClaimIdleTime must be at least one second; a shorter one would reclaim messages from consumers that are alive.");
    }

    /// <summary>
    /// An entry Redis has delivered more often than this (a crash loop the framework never saw, or a message
    /// given back over and over) goes to the queue's dead-letter stream with the reason. 0 turns the limit off.
    /// The default value is 20, above the frameworks' own retry limits so they see and route ordinary
    /// failures first.
    /// </summary>
    public int MaxDeliveryCount
    {
        get => _maxDeliveryCount;
        set => _maxDeliveryCount = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDeliveryCount), value, "MaxDeliveryCount must be 0 (no limit) or more.");
    }

    /// <summary>
    /// How often an idle receiver looks at its queue when no doorbell rang: a safety net only, since new messages
    /// wake receivers at once and every reconnect wakes them too. The default value is 10 seconds.
    /// </summary>
    public TimeSpan IdlePollInterval
    {
        get => _idlePollInterval;
        set => _idlePollInterval = value >= TimeSpan.FromMilliseconds(10)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(IdlePollInterval), value, "IdlePollInterval must be at least 10 ms.");
    }

    /// <summary>
    /// How long a consumer that holds nothing may stay silent before it is removed from its group (instances
    /// that stopped or died), so <c>XINFO CONSUMERS</c> does not grow with restarts. The default value is
    /// 10 minutes; it must exceed <see cref="IdlePollInterval"/>.
    /// </summary>
    public TimeSpan ConsumerExpiry
    {
        get => _consumerExpiry;
        set => _consumerExpiry = value >= TimeSpan.FromSeconds(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ConsumerExpiry), value, "ConsumerExpiry must be at least one second.");
    }

    /// <summary>
    /// The longest a receiver waits between two looks at its queue's delayed messages. Receivers plan their
    /// next look for the earliest due time they know of, and a sender that schedules an earlier one tells
    /// them, and every reconnect wakes them, so this is a safety net only. The default value is 10 seconds.
    /// </summary>
    public TimeSpan DelayedPollInterval
    {
        get => _delayedPollInterval;
        set => _delayedPollInterval = value >= TimeSpan.FromMilliseconds(10)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(DelayedPollInterval), value, "DelayedPollInterval must be at least 10 ms.");
    }

    /// <summary>
    /// Keep acknowledged entries for replay and audit, trimmed by length and/or age; <c>null</c> (the default)
    /// deletes each entry when it is acknowledged, so memory follows the backlog. Trimming never removes an
    /// entry that some consumer group has not acknowledged.
    /// </summary>
    public StreamRetention? Retention { get; set; }

    /// <summary>How often receivers trim their queue in retention mode. The default value is 5 seconds.</summary>
    public TimeSpan TrimInterval
    {
        get => _trimInterval;
        set => _trimInterval = value >= TimeSpan.FromMilliseconds(100)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TrimInterval), value, "TrimInterval must be at least 100 ms.");
    }

    /// <summary>
    /// Durable writes: a send, publish, schedule, acknowledgement or subscription change counts as done only
    /// once Redis's <c>WAIT</c> reports at least this many replicas holding it; otherwise the caller gets
    /// <see cref="RedisStreamsReplicationException"/>. Closes the window in which a failover erases writes the
    /// old primary had acknowledged. Costs a replica round trip per batch, and each <c>WAIT</c> holds the
    /// connection to that server meanwhile. The default value is 0 (off).
    /// </summary>
    public int RequiredReplicas
    {
        get => _requiredReplicas;
        set => _requiredReplicas = value is >= 0 and <= 100
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RequiredReplicas), value, "RequiredReplicas must be between 0 (off) and 100.");
    }

    /// <summary>
    /// With <see cref="RequiredReplicas"/> set: how long one <c>WAIT</c> waits for replicas before it reports
    /// fewer. Short ones are asked again until <see cref="WriteRetryTimeout"/> runs out. Keep it well below the
    /// connection's timeout (5 s by default), since the connection waits with it. The default value is one second.
    /// </summary>
    public TimeSpan ReplicationTimeout
    {
        get => _replicationTimeout;
        set => _replicationTimeout = value >= TimeSpan.FromMilliseconds(1) && value <= TimeSpan.FromSeconds(60)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ReplicationTimeout), value, "ReplicationTimeout must be between 1 ms and 60 s (WAIT with 0 would block for ever).");
    }

    /// <summary>
    /// How long a send, publish or schedule keeps trying through an outage or a failover (connection lost,
    /// timeouts, <c>READONLY</c>, <c>LOADING</c>, <c>MASTERDOWN</c>, <c>TRYAGAIN</c>, <c>CLUSTERDOWN</c>, a
    /// <c>WAIT</c> that came up short) before it fails with <see cref="RedisStreamsUnavailableException"/> (or
    /// <see cref="RedisStreamsReplicationException"/>). Redis out of memory fails at once. The default value is
    /// 10 seconds.
    /// </summary>
    public TimeSpan WriteRetryTimeout
    {
        get => _writeRetryTimeout;
        set => _writeRetryTimeout = value >= TimeSpan.FromMilliseconds(100) && value <= TimeSpan.FromMinutes(10)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(WriteRetryTimeout), value, "WriteRetryTimeout must be between 100 ms and 10 minutes.");
    }

    /// <summary>
    /// Run on a Redis whose <c>maxmemory-policy</c> evicts keys, with a warning, instead of refusing to. Such a
    /// server deletes queues under memory pressure and their messages are lost with no error: leave this off
    /// and set the policy to <c>noeviction</c> unless losing messages is acceptable. The default value is <c>false</c>.
    /// </summary>
    public bool AllowEvictingPolicy { get; set; }

    /// <summary>
    /// How often a client that subscribed queues or linked topics checks that Redis still holds them, and writes
    /// them again when Redis lost them (a restart without persistence, a failover to an empty or lagging node,
    /// <c>FLUSHALL</c>, deleted keys). Reconnects, receivers that find their queue gone and a changed server
    /// identity trigger the same check at once; this interval is the safety net. Each check costs one <c>GET</c>
    /// per topic the client subscribed to or linked, and <c>INFO server</c> and <c>INFO replication</c> per
    /// primary. Clients that subscribed and linked nothing never check. The default value is 10 seconds; at
    /// least 100 ms.
    /// </summary>
    public TimeSpan SubscriptionCheckInterval
    {
        get => _subscriptionCheckInterval;
        set => _subscriptionCheckInterval = value >= TimeSpan.FromMilliseconds(100)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SubscriptionCheckInterval), value, "SubscriptionCheckInterval must be at least 100 ms.");
    }

    /// <summary>
    /// The consumer name prefix of this process; a unique suffix is added per receiver. The default value is
    /// the machine name and process id.
    /// </summary>
    public string ConsumerNamePrefix { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// How often the queue gauges (<c>redisstreams.queue.*</c>: depth, lag, pending, oldest pending age, dead-letter
    /// depth, delayed, consumers) are sampled, each queue with one read-only script call. Sampling runs only while
    /// something listens to those gauges (OpenTelemetry's <c>AddMeter</c>, <c>dotnet-counters</c>), so with nobody
    /// listening it costs nothing. <see cref="TimeSpan.Zero"/> turns the gauges off. The default value is 15 seconds;
    /// otherwise at least 100 ms.
    /// </summary>
    public TimeSpan GaugeSampleInterval
    {
        get => _gaugeSampleInterval;
        set => _gaugeSampleInterval = value == TimeSpan.Zero || value >= TimeSpan.FromMilliseconds(100)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(GaugeSampleInterval), value, "GaugeSampleInterval must be zero (gauges off) or at least 100 ms.");
    }

    /// <summary>
    /// Queues whose gauges this client reports besides those it receives from: error and dead-letter queues nobody
    /// consumes, or queues this process only sends to. Each is sampled for the consumer group named after it. The
    /// default value is empty.
    /// </summary>
    public IReadOnlyCollection<string> GaugeQueues
    {
        get => _gaugeQueues;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var queue in value)
            {
                Naming.EntityName.Validate(queue, "queue");
            }

            _gaugeQueues = [.. value];
        }
    }

    /// <summary>Returns a copy, so one configuration can be adjusted per endpoint.</summary>
    public RedisStreamsOptions Clone() => (RedisStreamsOptions)MemberwiseClone();

    internal TimeSpan RenewInterval => ClaimIdleTime / 3;

    internal TimeSpan ClaimCheckInterval => ClaimIdleTime / 2 < TimeSpan.FromSeconds(30) ? ClaimIdleTime / 2 : TimeSpan.FromSeconds(30);

    internal TimeSpan ConsumerSweepInterval => ConsumerExpiry / 2 < TimeSpan.FromMinutes(1) ? ConsumerExpiry / 2 : TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (ConsumerExpiry <= IdlePollInterval * 2)
        {
            throw new ArgumentException(
                $"ConsumerExpiry ({ConsumerExpiry}) must be more than twice IdlePollInterval ({IdlePollInterval}); otherwise idle consumers that are alive would be removed.",
                nameof(ConsumerExpiry));
        }

        if (string.IsNullOrWhiteSpace(ConsumerNamePrefix))
        {
            throw new ArgumentException("ConsumerNamePrefix is empty; leave the default or give each application a readable name.", nameof(ConsumerNamePrefix));
        }
    }
}
