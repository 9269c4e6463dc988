using System.Globalization;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Configuration;

/// <summary>Where the bus connects and under which key prefix; validated when the bus is configured.</summary>
internal sealed class RedisStreamsHostSettings
{
    public string? Connection { get; init; }

    public IConnectionMultiplexer? Multiplexer { get; init; }

    public string KeyPrefix { get; set; } = "rs";

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
            _ = FirstEndPoint();
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

    public async Task<RedisStreamsClient> ConnectAsync(RedisStreamsOptions options, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory)
    {
        if (Multiplexer is not null)
        {
            return new RedisStreamsClient(Multiplexer, options, loggerFactory);
        }

        return await RedisStreamsClient.ConnectAsync(Connection!, options, loggerFactory).ConfigureAwait(false);
    }

    (string Host, int Port) FirstEndPoint()
    {
        if (Multiplexer is not null)
        {
            var endPoint = Multiplexer.GetEndPoints().FirstOrDefault();
            return endPoint is null ? ("localhost", 6379) : Split(endPoint.ToString() ?? "localhost:6379");
        }

        var text = Connection!.Trim();
        if (text.Length == 0)
        {
            throw new ArgumentException("The Redis connection is empty. Give a URI such as redis://localhost:6379 or a configuration string such as localhost:6379.");
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss"))
            {
                throw new ArgumentException($"The Redis connection '{Redact(text)}' is not a redis:// or rediss:// URI. Write it as redis://[user:password@]host[:port][/database].");
            }

            if (string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException($"The Redis connection '{Redact(text)}' names no host. Write it as redis://host:6379.");
            }

            return (uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        }

        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The Redis connection '{Redact(text)}' is invalid: {e.Message}", e);
        }

        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException($"The Redis connection '{Redact(text)}' names no host. Put host:port first, e.g. localhost:6379.");
        }

        return Split(options.EndPoints[0].ToString() ?? "localhost:6379");
    }

    static (string Host, int Port) Split(string endPoint)
    {
        var text = endPoint.StartsWith("Unspecified/", StringComparison.Ordinal) ? endPoint["Unspecified/".Length..] : endPoint;
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? (text[..colon].Trim('[', ']'), port)
            : (text, 6379);
    }

    static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    static string Redact(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var at = text.LastIndexOf('@');
            return at > scheme ? text[..(scheme + 3)] + "***" + text[at..] : text;
        }

        return string.Join(',', text.Split(',').Select(p => p.TrimStart().StartsWith("password", StringComparison.OrdinalIgnoreCase) ? "password=***" : p));
    }
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

    public bool PurgeOnStartup { get; set; }

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
