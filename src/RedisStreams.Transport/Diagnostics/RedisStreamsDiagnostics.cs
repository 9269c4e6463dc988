using System.Diagnostics;

namespace RedisStreams.Transport;

/// <summary>Names under which the engine reports: subscribe to these in OpenTelemetry or <c>dotnet-counters</c>.</summary>
public static class RedisStreamsDiagnostics
{
    /// <summary>The name of the engine's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "RedisStreams.Transport";

    /// <summary>The name of the engine's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "RedisStreams.Transport";

    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName, typeof(RedisStreamsDiagnostics).Assembly.GetName().Version?.ToString());
}
