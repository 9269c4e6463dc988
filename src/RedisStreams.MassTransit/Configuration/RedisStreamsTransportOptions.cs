namespace MassTransit;

/// <summary>
/// Defaults for <c>UsingRedisStreams</c>, bindable from configuration
/// (e.g. <c>services.Configure&lt;RedisStreamsTransportOptions&gt;(configuration.GetSection("RedisStreams"))</c>).
/// A <c>cfg.Host(...)</c> in the bus callback overrides them.
/// </summary>
public sealed class RedisStreamsTransportOptions
{
    /// <summary>
    /// The connection: <c>redis://host:port</c>, <c>rediss://…</c> or a StackExchange.Redis configuration string.
    /// The default value is <c>redis://localhost:6379</c>.
    /// </summary>
    public string ConnectionString { get; set; } = "redis://localhost:6379";

    /// <summary>The prefix of every key the bus uses. The default value is <c>rs</c>.</summary>
    public string KeyPrefix { get; set; } = "rs";
}
