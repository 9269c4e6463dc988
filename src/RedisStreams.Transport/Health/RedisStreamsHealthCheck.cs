using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisStreams.Transport.Diagnostics;

namespace RedisStreams.Transport.Health;

/// <summary>
/// The health of one engine client: Unhealthy when it is not connected to Redis, Redis does not answer <c>PING</c>,
/// or one of its running receivers cannot reach its queue; Degraded or Unhealthy when a queue given in
/// <see cref="RedisStreamsHealthCheckOptions"/> passes a threshold. Register it with
/// <c>services.AddHealthChecks().AddRedisStreams(...)</c>.
/// </summary>
/// <remarks>
/// The report names endpoints and queues, never a connection string or a password; exceptions are described by
/// type and message, and not attached (health writers often print them whole).
/// </remarks>
public sealed class RedisStreamsHealthCheck : IHealthCheck
{
    readonly RedisStreamsClient _client;
    readonly RedisStreamsHealthCheckOptions _options;

    /// <summary>Creates the check for a client.</summary>
    /// <param name="client">The client whose connection and receivers are judged.</param>
    /// <param name="options">Queue thresholds; <c>null</c> for none.</param>
    public RedisStreamsHealthCheck(RedisStreamsClient client, RedisStreamsHealthCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new RedisStreamsHealthCheckOptions();
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var endpoints = RedisEndpointText.Describe(_client.Multiplexer.GetEndPoints());
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["redis.endpoints"] = endpoints };
        if (!_client.Multiplexer.IsConnected)
        {
            return new HealthCheckResult(failure, $"Not connected to Redis at {endpoints}; reconnecting in the background.", data: data);
        }

        try
        {
            var latency = await _client.Database.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            data["redis.ping.ms"] = Math.Round(latency.TotalMilliseconds, 3);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(failure, $"Redis at {endpoints} did not answer PING: {Describe(e)}", data: data);
        }

        var problems = new List<(HealthStatus Status, string Reason)>();
        foreach (var receiver in _client.RunningReceivers.OrderBy(r => r.Queue, StringComparer.Ordinal))
        {
            var health = receiver.Health;
            data[$"receiver.{receiver.Queue}"] = health.IsHealthy ? "receiving" : health.Description ?? "unhealthy";
            if (!health.IsHealthy)
            {
                problems.Add((failure, $"receiving from queue '{receiver.Queue}' fails since {health.Since.ToString("u", CultureInfo.InvariantCulture)}: {health.Description}"));
            }
        }

        if (_options.Queues.Count > 0)
        {
            QueueSample[] samples;
            try
            {
                // Issued together: StackExchange.Redis pipelines them.
                samples = await Task.WhenAll(_options.Queues.Select(q => _client.SampleQueueAsync(q.Queue, q.Group))).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(failure, $"Reading the queues' numbers from Redis at {endpoints} failed: {Describe(e)}", data: data);
            }

            for (var i = 0; i < samples.Length; i++)
            {
                Judge(_options.Queues[i], samples[i], failure, problems, data);
            }
        }

        if (problems.Count == 0)
        {
            return HealthCheckResult.Healthy($"Redis at {endpoints} answers; {_client.RunningReceivers.Count} receiver(s) receiving.", data);
        }

        var worst = problems.Min(p => p.Status);
        return new HealthCheckResult(worst, string.Join("; ", problems.OrderBy(p => p.Status).Select(p => p.Reason)), data: data);
    }

    static void Judge(QueueHealthThresholds queue, QueueSample sample, HealthStatus failure, List<(HealthStatus, string)> problems, Dictionary<string, object> data)
    {
        data[$"queue.{queue.Queue}"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["depth"] = sample.Depth,
            ["lag"] = sample.Lag,
            ["pending"] = sample.Pending,
            ["oldest_pending_age_s"] = sample.OldestPendingAge?.TotalSeconds,
            ["dead_letters"] = sample.DeadLettered,
            ["delayed"] = sample.Delayed,
            ["consumers"] = sample.Consumers,
        };

        Check(sample.Lag, queue.UnhealthyLag, queue.DegradedLag, "messages waiting for delivery");
        Check(sample.DeadLettered, queue.UnhealthyDeadLetters, queue.DegradedDeadLetters, "dead-lettered messages");
        var age = sample.OldestPendingAge;
        if (age is { } a && (queue.UnhealthyOldestPendingAge is { } ua && a >= ua || queue.DegradedOldestPendingAge is { } da && a >= da))
        {
            var unhealthy = queue.UnhealthyOldestPendingAge is { } u && a >= u;
            var limit = unhealthy ? queue.UnhealthyOldestPendingAge!.Value : queue.DegradedOldestPendingAge!.Value;
            problems.Add((unhealthy ? failure : HealthStatus.Degraded,
                $"queue '{queue.Queue}': its oldest unsettled message is {Seconds(a)} old (limit {Seconds(limit)}): a consumer may be stuck"));
        }

        void Check(long? value, long? unhealthyAt, long? degradedAt, string what)
        {
            if (value is not { } v)
            {
                return;
            }

            if (unhealthyAt is { } u && v >= u)
            {
                problems.Add((failure, $"queue '{queue.Queue}': {v} {what} (limit {u})"));
            }
            else if (degradedAt is { } d && v >= d)
            {
                problems.Add((HealthStatus.Degraded, $"queue '{queue.Queue}': {v} {what} (limit {d})"));
            }
        }
    }

    static string Seconds(TimeSpan age) => age.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    /// <summary>The engine's and StackExchange.Redis's messages name endpoints and commands, never a password.</summary>
    static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";
}
