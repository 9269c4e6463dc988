using StackExchange.Redis;

namespace MassTransit;

/// <summary>
/// Settings of the Redis connection given in the <c>cfg.Host(..., h =&gt; ...)</c> callback, shaped like
/// RabbitMQ's <c>h.Username(...)</c> / <c>h.Password(...)</c> so a RabbitMQ application keeps those lines.
/// They apply on top of the connection text.
/// </summary>
public interface IRedisStreamsHostConfigurator
{
    /// <summary>The Redis ACL user to connect as (Redis 6 and later). Leave it out for the <c>default</c> user.</summary>
    /// <param name="username">The user name.</param>
    void Username(string username);

    /// <summary>The password of the user (or of the <c>default</c> user when no user is named).</summary>
    /// <param name="password">The password; it never appears in logs or exception messages.</param>
    void Password(string password);

    /// <summary>Connects with TLS, checking the server's certificate against <paramref name="serverName"/>.</summary>
    /// <param name="serverName">The name the certificate must carry; <c>null</c> for the host name.</param>
    void UseSsl(string? serverName = null);

    /// <summary>The Redis database number (0 unless changed; Redis Cluster only has 0).</summary>
    /// <param name="database">The database number.</param>
    void Database(int database);

    /// <summary>The connection name Redis shows in <c>CLIENT LIST</c> (RabbitMQ's connection name).</summary>
    /// <param name="clientName">The name.</param>
    void ClientName(string clientName);

    /// <summary>Any other StackExchange.Redis setting (timeouts, certificates, keep-alive).</summary>
    /// <param name="configure">Changes the connection settings.</param>
    void ConfigureOptions(Action<ConfigurationOptions> configure);
}
