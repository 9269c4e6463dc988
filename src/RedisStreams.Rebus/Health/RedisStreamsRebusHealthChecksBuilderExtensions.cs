using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisStreams.Rebus.Health;
using RedisStreams.Transport.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="RedisStreamsRebusHealthCheck"/> with <c>services.AddHealthChecks()</c>.</summary>
public static class RedisStreamsRebusHealthChecksBuilderExtensions
{
    /// <summary>The name the check gets unless another is given.</summary>
    public const string DefaultName = "redis-streams-rebus";

    /// <summary>
    /// Checks the Rebus buses of this process that run on Redis Streams: their connection to Redis and their receiver,
    /// and the queues given.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="inputQueueName">Only the bus receiving from this queue; <c>null</c> for every bus of the process.</param>
    /// <param name="configure">Queue thresholds; <c>null</c> for none.</param>
    /// <param name="name">The check's name in the report.</param>
    /// <param name="failureStatus">What a failure reports; <c>null</c> for Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <param name="timeout">How long the check may take; <c>null</c> for the host's default.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddRedisStreamsRebus(
        this IHealthChecksBuilder builder,
        string? inputQueueName = null,
        Action<RedisStreamsHealthCheckOptions>? configure = null,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RedisStreamsHealthCheckOptions();
        configure?.Invoke(options);
        var check = new RedisStreamsRebusHealthCheck(inputQueueName, options);
        return builder.Add(new HealthCheckRegistration(name, check, failureStatus, tags, timeout));
    }
}
