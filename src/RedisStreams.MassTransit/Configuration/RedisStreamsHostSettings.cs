using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Configuration;

/// <summary>Where the bus connects and under which key prefix; validated when the bus is configured.</summary>
internal sealed class RedisStreamsHostSettings
{
    public string? Connection { get; init; }

    public IConnectionMultiplexer? Multiplexer { get; init; }

    /// <summary>What the host callback (<c>h =&gt; { h.Username(...); }</c>) changes on top of the connection text.</summary>
    public Action<ConfigurationOptions>? ConfigureConnection { get; init; }

    public string KeyPrefix { get; set; } = "rs";

    /// <summary>Where the engine logs (connection failures, reclaims, dead-lettering); <c>null</c> for nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Adjusts engine settings the configurator does not expose; applied before the bus and endpoint ones.</summary>
    public Action<RedisStreamsOptions>? ConfigureEngine { get; set; }

    /// <summary>The engine settings of this host: the user's adjustments, then the key prefix.</summary>
    public RedisStreamsOptions CreateEngineOptions()
    {
        var options = new RedisStreamsOptions();
        ConfigureEngine?.Invoke(options);
        options.KeyPrefix = KeyPrefix;
        return options;
    }

    /// <summary><c>redis://host:port/prefix/</c>: the base of every endpoint address of the bus.</summary>
    public Uri HostAddress
    {
        get
        {
            var (host, port) = FirstEndPoint();
            return new Uri($"redis://{FormatHost(host)}:{port.ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(KeyPrefix)}/");
        }
    }

    public IEnumerable<string> Validate()
    {
        if (Connection is null && Multiplexer is null)
        {
            yield return "No Redis connection was configured. Call cfg.Host(\"redis://host:6379\") or cfg.Host(multiplexer), or configure RedisStreamsTransportOptions.";
            yield break;
        }

        string? problem = null;
        try
        {
            // The engine's own parser, so what passes here is exactly what the engine will accept when connecting.
            if (Connection is not null)
            {
                _ = ConnectionOptions();
            }

            _ = new RedisStreamsOptions { KeyPrefix = KeyPrefix };
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return problem;
        }
    }

    /// <summary>
    /// Connects with the engine logging to the container's logging when the bus was registered with
    /// <c>AddMassTransit</c>, else to MassTransit's <c>LogContext</c> (what <c>Bus.Factory</c> users configure).
    /// </summary>
    public async Task<RedisStreamsClient> ConnectAsync(RedisStreamsOptions options)
    {
        var loggerFactory = LoggerFactory ?? Transport.LogContextLoggerFactory.Current();
        if (Multiplexer is not null)
        {
            return new RedisStreamsClient(Multiplexer, options, loggerFactory);
        }

        return await RedisStreamsClient.ConnectAsync(ConnectionOptions(), options, loggerFactory).ConfigureAwait(false);
    }

    /// <summary>The connection text read by the engine's parser, then the host callback's changes.</summary>
    ConfigurationOptions ConnectionOptions()
    {
        var options = RedisStreamsClient.ParseConnection(Connection!);
        ConfigureConnection?.Invoke(options);
        return options;
    }

    (string Host, int Port) FirstEndPoint()
    {
        var endPoint = Multiplexer is not null ? Multiplexer.GetEndPoints().FirstOrDefault() : ConnectionOptions().EndPoints[0];
        return endPoint switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port == 0 ? 6379 : dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port == 0 ? 6379 : ip.Port),
            _ => ("localhost", 6379),
        };
    }

    static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
}

/// <summary>Per-endpoint settings: the queue and how it is consumed.</summary>
internal sealed class RedisStreamsReceiveSettings
{
    public RedisStreamsReceiveSettings(string queueName)
    {
        QueueName = queueName;
    }

    public string QueueName { get; set; }

    public TimeSpan? ClaimIdleTime { get; set; }

    public int? MaxDeliveryCount { get; set; }

    public bool? PurgeOnStartup { get; set; }

    public bool AutoDelete { get; set; }

    public TimeSpan? AutoDeleteOnIdle { get; set; }

    public TimeSpan AutoDeleteIdleTime => AutoDeleteOnIdle ?? TimeSpan.FromMinutes(5);

    /// <summary>Topics the queue subscribes to: consumed message types and manual subscriptions.</summary>
    public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);

    public RedisStreamsReceiveSettings InheritFrom(RedisStreamsReceiveSettings defaults)
    {
        ClaimIdleTime ??= defaults.ClaimIdleTime;
        MaxDeliveryCount ??= defaults.MaxDeliveryCount;
        AutoDeleteOnIdle ??= defaults.AutoDeleteOnIdle;
        PurgeOnStartup ??= defaults.PurgeOnStartup;
        return this;
    }

    public RedisStreamsOptions EngineOptions(RedisStreamsOptions baseOptions)
    {
        var options = baseOptions.Clone();
        if (ClaimIdleTime is { } claim)
        {
            options.ClaimIdleTime = claim;
        }

        if (MaxDeliveryCount is { } max)
        {
            options.MaxDeliveryCount = max;
        }

        return options;
    }
}
