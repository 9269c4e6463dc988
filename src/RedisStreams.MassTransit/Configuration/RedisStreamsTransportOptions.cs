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
    /// Settings of single receive endpoints by queue name (compared without case, as configuration keys are), e.g.
    /// <c>"Endpoints": { "submit-order": { "PrefetchCount": 64 } }</c>. They override the defaults above.
    /// </summary>
    public IDictionary<string, RedisStreamsEndpointOptions> Endpoints { get; } =
        new Dictionary<string, RedisStreamsEndpointOptions>(StringComparer.OrdinalIgnoreCase);

    internal void ApplyTo(RedisStreamsBusFactoryConfigurator configurator, RedisStreamsHostConfiguration host)
    {
        configurator.KeyPrefix = KeyPrefix;
        configurator.Host(ConnectionString);
        ApplyTo(configurator, "RedisStreamsTransportOptions");
        foreach (var (queue, options) in Endpoints)
        {
            options.Validate($"RedisStreamsTransportOptions.Endpoints[{queue}]");
        }

        host.EndpointOptions = Endpoints;
    }
}
