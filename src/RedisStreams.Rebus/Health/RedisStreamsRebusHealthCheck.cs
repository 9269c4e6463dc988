using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisStreams.Transport.Health;

namespace RedisStreams.Rebus.Health;

/// <summary>
/// The health of the Rebus buses of this process that run on Redis Streams: each transport's connection and its
/// receiver (Unhealthy when Redis is lost or the input queue cannot be read), plus any queue thresholds. Unhealthy
/// when no such bus runs. Register it with <c>services.AddHealthChecks().AddRedisStreamsRebus()</c>.
/// </summary>
public sealed class RedisStreamsRebusHealthCheck : IHealthCheck
{
    readonly string? _inputQueueName;
    readonly RedisStreamsHealthCheckOptions _options;

    /// <summary>Creates the check.</summary>
    /// <param name="inputQueueName">Only the bus receiving from this queue; <c>null</c> for every bus of the process.</param>
    /// <param name="options">Queue thresholds, judged once over the first bus's connection; <c>null</c> for none.</param>
    public RedisStreamsRebusHealthCheck(string? inputQueueName = null, RedisStreamsHealthCheckOptions? options = null)
    {
        _inputQueueName = inputQueueName;
        _options = options ?? new RedisStreamsHealthCheckOptions();
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var transports = RunningTransports.Matching(_inputQueueName);
        if (transports.Count == 0)
        {
            var which = _inputQueueName is null ? "No Rebus bus on Redis Streams" : $"No Rebus bus receiving from queue '{_inputQueueName}'";
            return new HealthCheckResult(failure, which + " runs in this process (not started yet, or disposed).");
        }

        var results = new List<(string Bus, HealthCheckResult Result)>();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < transports.Count; i++)
        {
            var transport = transports[i];
            var bus = transport.Address is { } queue ? $"bus '{queue}'" : "one-way client";

            // Thresholds are about queues, not buses: judged once.
            var check = new RedisStreamsHealthCheck(transport.Client, i == 0 ? _options : null);
            var result = await check.CheckHealthAsync(context!, cancellationToken).ConfigureAwait(false);
            if (result.Status == HealthStatus.Healthy && transport.ReceiverProblem is { } problem)
            {
                result = new HealthCheckResult(failure, problem, data: result.Data);
            }

            results.Add((bus, result));
            foreach (var (key, value) in result.Data)
            {
                data[$"{bus}: {key}"] = value;
            }
        }

        var worst = results.Min(r => r.Result.Status);
        var description = string.Join("; ", results.Select(r => $"{r.Bus}: {r.Result.Description}"));
        return new HealthCheckResult(worst, description, data: data);
    }
}
