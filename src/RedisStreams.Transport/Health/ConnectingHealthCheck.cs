using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RedisStreams.Transport.Health;

/// <summary>A <see cref="RedisStreamsHealthCheck"/> over the check's own connection, which it opens on first use.</summary>
internal sealed class ConnectingHealthCheck(HealthCheckConnection connection, RedisStreamsHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        RedisStreamsClient client;
        try
        {
            client = await connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The engine's connection errors say what to fix and never carry the password.
            return new HealthCheckResult(context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy, $"Connecting to Redis failed: {e.Message}");
        }

        return await new RedisStreamsHealthCheck(client, options).CheckHealthAsync(context!, cancellationToken).ConfigureAwait(false);
    }
}
