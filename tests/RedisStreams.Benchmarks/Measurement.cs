using System.Diagnostics;

namespace RedisStreams.Benchmarks;

/// <summary>One timed run of a workload: throughput, client CPU and the process's peak working set.</summary>
internal sealed record Measurement(string Scenario, int Messages, TimeSpan SendTime, TimeSpan ConsumeTime, TimeSpan Cpu, long PeakWorkingSetBytes)
{
    public double SentPerSecond => Messages / SendTime.TotalSeconds;

    public double ConsumedPerSecond => Messages / ConsumeTime.TotalSeconds;

    /// <summary>Runs <paramref name="run"/>, which returns (time to send all, time until all were consumed).</summary>
    public static async Task<Measurement> TakeAsync(string scenario, int messages, Func<Task<(TimeSpan Send, TimeSpan Consume)>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        using var peak = new PeakMemorySampler();
        var (send, consume) = await run();
        process.Refresh();
        return new Measurement(scenario, messages, send, consume, process.TotalProcessorTime - cpuBefore, peak.Peak);
    }
}

/// <summary>Samples the working set every 50 ms: Linux reports no per-interval peak for a running process.</summary>
internal sealed class PeakMemorySampler : IDisposable
{
    readonly Timer _timer;
    long _peak;

    public PeakMemorySampler()
    {
        _peak = Environment.WorkingSet;
        _timer = new Timer(_ => Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), Environment.WorkingSet)), null, 0, 50);
    }

    public long Peak => Math.Max(Interlocked.Read(ref _peak), Environment.WorkingSet);

    public void Dispose() => _timer.Dispose();
}
