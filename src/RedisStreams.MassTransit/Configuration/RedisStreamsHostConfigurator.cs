using MassTransit;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Configuration;

/// <summary>Collects the host callback's settings as one change applied to the parsed connection text.</summary>
internal sealed class RedisStreamsHostConfigurator : IRedisStreamsHostConfigurator
{
    public Action<ConfigurationOptions>? Changes { get; private set; }

    public void Username(string username)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(username);
        Changes += o => o.User = username;
    }

    public void Password(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        Changes += o => o.Password = password;
    }

    public void UseSsl(string? serverName = null) =>
        Changes += o =>
        {
            o.Ssl = true;
            o.SslHost = serverName ?? o.SslHost ?? HostOf(o);
        };

    public void Database(int database)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(database);
        Changes += o => o.DefaultDatabase = database;
    }

    public void ClientName(string clientName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientName);
        Changes += o => o.ClientName = clientName;
    }

    public void ConfigureOptions(Action<ConfigurationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Changes += configure;
    }

    static string? HostOf(ConfigurationOptions options) =>
        options.EndPoints.Count > 0 && options.EndPoints[0] is System.Net.DnsEndPoint dns ? dns.Host : null;
}
