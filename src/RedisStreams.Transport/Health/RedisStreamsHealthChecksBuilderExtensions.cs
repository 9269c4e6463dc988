using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport;
using RedisStreams.Transport.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="RedisStreamsHealthCheck"/> with <c>services.AddHealthChecks()</c>.</summary>
public static class RedisStreamsHealthChecksBuilderExtensions
{
    /// <summary>The name a check gets unless another is given.</summary>
    public const string DefaultName = "redis-streams";

    /// <summary>Checks the <see cref="RedisStreamsClient"/> registered in the container: its connection, its receivers and the queues given.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Queue thresholds; <c>null</c> for none.</param>
    /// <param name="name">The check's name in the report.</param>
    /// <param name="failureStatus">What a failure reports; <c>null</c> for Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <param name="timeout">How long the check may take; <c>null</c> for the host's default.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddRedisStreams(
        this IHealthChecksBuilder builder,
        Action<RedisStreamsHealthCheckOptions>? configure = null,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null) =>
        builder.AddRedisStreams(static provider => provider.GetRequiredService<RedisStreamsClient>(), configure, name, failureStatus, tags, timeout);

    /// <summary>Checks a client the application builds: its connection, its receivers and the queues given.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="client">Returns the client to check.</param>
    /// <param name="configure">Queue thresholds; <c>null</c> for none.</param>
    /// <param name="name">The check's name in the report.</param>
    /// <param name="failureStatus">What a failure reports; <c>null</c> for Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <param name="timeout">How long the check may take; <c>null</c> for the host's default.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddRedisStreams(
        this IHealthChecksBuilder builder,
        Func<IServiceProvider, RedisStreamsClient> client,
        Action<RedisStreamsHealthCheckOptions>? configure = null,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        var options = Configure(configure);
        return builder.Add(new HealthCheckRegistration(name, provider => new RedisStreamsHealthCheck(client(provider), options), failureStatus, tags, timeout));
    }

    /// <summary>
    /// Checks Redis over a connection of the check's own (opened on the first check, closed with the container), for
    /// applications whose client lives inside a framework (MassTransit, Rebus): the connection and the queues given.
    /// The framework's own health (MassTransit's bus check, <c>AddRedisStreamsRebus</c>) covers its receivers.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="connection">A <c>redis://</c> or <c>rediss://</c> URI, or a StackExchange.Redis configuration string.</param>
    /// <param name="keyPrefix">The key prefix the application uses (MassTransit's <c>KeyPrefix</c>, Rebus's <c>KeyPrefix</c>).</param>
    /// <param name="configure">Queue thresholds; <c>null</c> for none.</param>
    /// <param name="name">The check's name in the report.</param>
    /// <param name="failureStatus">What a failure reports; <c>null</c> for Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <param name="timeout">How long the check may take; <c>null</c> for the host's default.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddRedisStreams(
        this IHealthChecksBuilder builder,
        string connection,
        string keyPrefix = "rs",
        Action<RedisStreamsHealthCheckOptions>? configure = null,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);

        // Both fail now, with what to fix, rather than at the first check.
        RedisStreams.Transport.Connection.RedisConnectionString.Parse(connection);
        var engine = new RedisStreamsOptions { KeyPrefix = keyPrefix, GaugeSampleInterval = TimeSpan.Zero };
        var options = Configure(configure);
        builder.Services.AddKeyedSingleton(name, (provider, _) => new HealthCheckConnection(connection, engine, provider.GetService<ILoggerFactory>()));
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new ConnectingHealthCheck(provider.GetRequiredKeyedService<HealthCheckConnection>(name), options),
            failureStatus,
            tags,
            timeout));
    }

    static RedisStreamsHealthCheckOptions Configure(Action<RedisStreamsHealthCheckOptions>? configure)
    {
        var options = new RedisStreamsHealthCheckOptions();
        configure?.Invoke(options);
        return options;
    }
}
