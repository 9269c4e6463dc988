using RedisStreams.MassTransit.Configuration;

namespace MassTransit;

/// <summary>
/// Defaults for <c>UsingRedisStreams</c>, bindable from configuration
/// (e.g. <c>services.Configure&lt;RedisStreamsTransportOptions&gt;(configuration.GetSection("RedisStreams"))</c>).
/// The endpoint settings it inherits are every endpoint's defaults; <see cref="Endpoints"/> overrides them per queue.
/// Whatever the <c>UsingRedisStreams</c> callback sets in code (<c>cfg.Host(...)</c>, <c>e.PrefetchCount = ...</c>) wins.
/// </summary>
public sealed class RedisStreamsTransportOptions : RedisStreamsEndpointOptions
{
    /// <summary>
    /// The connection: <c>redis://host:port</c>, <c>rediss://…</c> or a StackExchange.Redis configuration string.
    /// The default value is <c>redis://localhost:6379</c>.
    /// </summary>
    public string ConnectionString { get; set; } = "redis://localhost:6379";

    /// <summary>The prefix of every key the bus uses. The default value is <c>rs</c>.</summary>
    public string KeyPrefix { get; set; } = "rs";

    /// <summary>
    /// How long a send or publish keeps trying through an outage or failover before it fails; <c>null</c> keeps the
    /// engine's default (10 s). See <see cref="RedisStreams.Transport.RedisStreamsOptions.WriteRetryTimeout"/>.
    /// </summary>
    public TimeSpan? WriteRetryTimeout { get; set; }

    /// <summary>
    /// Durable writes: how many replicas must confirm each write (by <c>WAIT</c>); <c>null</c> or 0 for off.
    /// See <see cref="RedisStreams.Transport.RedisStreamsOptions.RequiredReplicas"/>.
    /// </summary>
    public int? RequiredReplicas { get; set; }

    /// <summary>How long one <c>WAIT</c> waits for the replicas; <c>null</c> keeps the engine's default (1 s).</summary>
    public TimeSpan? ReplicationTimeout { get; set; }

    /// <summary>
    /// <c>true</c> runs on a Redis whose <c>maxmemory-policy</c> evicts keys, with a warning, instead of refusing to.
    /// See <see cref="RedisStreams.Transport.RedisStreamsOptions.AllowEvictingPolicy"/>.
    /// </summary>
    public bool? AllowEvictingPolicy { get; set; }

    /// <summary>
    /// Settings of single receive endpoints by queue name (compared without case, as configuration keys are), e.g.
    /// <c>"Endpoints": { "submit-order": { "PrefetchCount": 64 } }</c>. They override the defaults above.
    /// </summary>
    public IDictionary<string, RedisStreamsEndpointOptions> Endpoints { get; } =
        new Dictionary<string, RedisStreamsEndpointOptions>(StringComparer.OrdinalIgnoreCase);

    internal void ApplyTo(RedisStreamsBusFactoryConfigurator configurator, RedisStreamsHostConfiguration host)
    {
        configurator.KeyPrefix = KeyPrefix;
        configurator.Host(ConnectionString);
        if (WriteRetryTimeout is not null || RequiredReplicas is not null || ReplicationTimeout is not null || AllowEvictingPolicy is not null)
        {
            configurator.ConfigureEngine(ApplyWriteSettings);
        }

        ApplyTo(configurator, "RedisStreamsTransportOptions");
        foreach (var (queue, options) in Endpoints)
        {
            options.Validate($"RedisStreamsTransportOptions.Endpoints[{queue}]");
        }

        host.EndpointOptions = Endpoints;
    }

    void ApplyWriteSettings(RedisStreams.Transport.RedisStreamsOptions options)
    {
        if (WriteRetryTimeout is { } retry)
        {
            options.WriteRetryTimeout = retry;
        }

        if (RequiredReplicas is { } replicas)
        {
            options.RequiredReplicas = replicas;
        }

        if (ReplicationTimeout is { } wait)
        {
            options.ReplicationTimeout = wait;
        }

        if (AllowEvictingPolicy is { } allow)
        {
            options.AllowEvictingPolicy = allow;
        }
    }
}
