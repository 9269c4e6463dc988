using System.Globalization;

namespace MassTransit;

/// <summary>
/// The <c>cfg.Host(...)</c> shapes a RabbitMQ application uses, so switching transports changes the host and port,
/// not the shape of the call. RabbitMQ's virtual host becomes the key prefix: like a virtual host, a prefix keeps
/// applications that share one server apart.
/// </summary>
public static class RedisStreamsHostConfigurationExtensions
{
    /// <summary>Connects to Redis by URI: <c>redis://[[user]:[password]@]host[:port][/db]</c> or <c>rediss://…</c>.</summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="address">The Redis address.</param>
    public static void Host(this IRedisStreamsBusFactoryConfigurator configurator, Uri address) => Host(configurator, address, null);

    /// <summary>Connects to Redis by URI, with credentials and other settings in the callback.</summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="address">The Redis address: <c>redis://host:port</c> or <c>rediss://host:port</c>.</param>
    /// <param name="configure">Sets the user, password, TLS and other connection settings.</param>
    public static void Host(this IRedisStreamsBusFactoryConfigurator configurator, Uri address, Action<IRedisStreamsHostConfigurator>? configure)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(address);
        configurator.Host(address.OriginalString, configure);
    }

    /// <summary>
    /// RabbitMQ's <c>cfg.Host(host, virtualHost, h =&gt; ...)</c>: connects to <paramref name="host"/> on port 6379 and uses
    /// the virtual host as the key prefix (<c>/</c> keeps the default prefix).
    /// </summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="host">The Redis host name or address.</param>
    /// <param name="virtualHost">The key prefix; <c>/</c> or empty for the default (<c>rs</c>). A leading <c>/</c> is dropped.</param>
    /// <param name="configure">Sets the user, password, TLS and other connection settings.</param>
    public static void Host(this IRedisStreamsBusFactoryConfigurator configurator, string host, string virtualHost, Action<IRedisStreamsHostConfigurator>? configure = null) =>
        Host(configurator, host, 6379, virtualHost, configure);

    /// <summary>
    /// RabbitMQ's <c>cfg.Host(host, port, virtualHost, h =&gt; ...)</c>: connects to <paramref name="host"/>:<paramref name="port"/>
    /// and uses the virtual host as the key prefix (<c>/</c> keeps the default prefix).
    /// </summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="host">The Redis host name or address.</param>
    /// <param name="port">The Redis port (6379 unless changed; RabbitMQ's 5672 is not Redis's).</param>
    /// <param name="virtualHost">The key prefix; <c>/</c> or empty for the default (<c>rs</c>). A leading <c>/</c> is dropped.</param>
    /// <param name="configure">Sets the user, password, TLS and other connection settings.</param>
    public static void Host(this IRedisStreamsBusFactoryConfigurator configurator, string host, ushort port, string virtualHost, Action<IRedisStreamsHostConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentNullException.ThrowIfNull(virtualHost);
        var endpoint = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        configurator.Host($"redis://{endpoint}:{port.ToString(CultureInfo.InvariantCulture)}", configure);
        var prefix = virtualHost.Trim().TrimStart('/');
        if (prefix.Length > 0)
        {
            configurator.KeyPrefix = prefix;
        }
    }

    /// <summary>
    /// RabbitMQ's <c>cfg.Host(host, port, virtualHost, connectionName, h =&gt; ...)</c>: as the overload without a
    /// connection name, which becomes the Redis client name (<c>CLIENT LIST</c>).
    /// </summary>
    /// <param name="configurator">The bus configurator.</param>
    /// <param name="host">The Redis host name or address.</param>
    /// <param name="port">The Redis port.</param>
    /// <param name="virtualHost">The key prefix; <c>/</c> or empty for the default (<c>rs</c>).</param>
    /// <param name="connectionName">The client name Redis shows for this connection.</param>
    /// <param name="configure">Sets the user, password, TLS and other connection settings.</param>
    public static void Host(this IRedisStreamsBusFactoryConfigurator configurator, string host, ushort port, string virtualHost, string connectionName, Action<IRedisStreamsHostConfigurator>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        Host(configurator, host, port, virtualHost, h =>
        {
            h.ClientName(connectionName);
            configure?.Invoke(h);
        });
    }
}
