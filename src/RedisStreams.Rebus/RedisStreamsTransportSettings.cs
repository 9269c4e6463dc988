namespace RedisStreams.Rebus;

/// <summary>
/// The transport's settings as plain properties, for binding from configuration, e.g.
/// <c>t.UseRedisStreams(configuration.GetSection("RedisStreams").Get&lt;RedisStreamsTransportSettings&gt;()!)</c>.
/// A property left <c>null</c> keeps the default; each has the range of its method on <see cref="RedisStreamsTransportOptions"/>.
/// </summary>
public sealed class RedisStreamsTransportSettings
{
    /// <summary>The connection: <c>redis://…</c>, <c>rediss://…</c> or a StackExchange.Redis configuration string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The queue the bus receives from; <c>null</c> for a one-way client.</summary>
    public string? InputQueueName { get; set; }

    /// <summary>See <see cref="RedisStreamsTransportOptions.Prefetch"/>.</summary>
    public int? Prefetch { get; set; }

    /// <summary>See <see cref="RedisStreamsTransportOptions.KeyPrefix"/>.</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>See <see cref="RedisStreamsTransportOptions.ClaimIdleTime"/>.</summary>
    public TimeSpan? ClaimIdleTime { get; set; }

    /// <summary>See <see cref="RedisStreamsTransportOptions.MaxDeliveryCount"/>.</summary>
    public int? MaxDeliveryCount { get; set; }

    /// <summary>See <see cref="RedisStreamsTransportOptions.ReceiveWait"/>.</summary>
    public TimeSpan? ReceiveWait { get; set; }

    /// <summary>See <see cref="RedisStreamsTransportOptions.RequireRedisAtStartup"/>.</summary>
    public TimeSpan? RequireRedisAtStartup { get; set; }

    /// <summary>See <see cref="RedisStreamsTransportOptions.WriteRetryTimeout"/>.</summary>
    public TimeSpan? WriteRetryTimeout { get; set; }

    /// <summary>Replicas each write must reach; see <see cref="RedisStreamsTransportOptions.RequireReplicas"/>. <c>null</c> or 0 for off.</summary>
    public int? RequiredReplicas { get; set; }

    /// <summary>How long one <c>WAIT</c> waits for <see cref="RequiredReplicas"/>; see <see cref="RedisStreamsTransportOptions.RequireReplicas"/>.</summary>
    public TimeSpan? ReplicationTimeout { get; set; }

    /// <summary><c>true</c> for <see cref="RedisStreamsTransportOptions.AllowEvictingPolicy"/>.</summary>
    public bool? AllowEvictingPolicy { get; set; }
}
