using System.Diagnostics;

namespace RedisStreams.Benchmarks;

/// <summary>One timed run of a workload: throughput, client CPU, what it allocated and the process's peak working set.</summary>
internal sealed record Measurement(string Scenario, int Messages, TimeSpan SendTime, TimeSpan ConsumeTime, TimeSpan Cpu, long AllocatedBytes, long PeakWorkingSetBytes)
{
    public double SentPerSecond => Messages / SendTime.TotalSeconds;

    public double ConsumedPerSecond => Messages / ConsumeTime.TotalSeconds;

    /// <summary>Bytes the whole process allocated per message sent and consumed (every thread, the framework's too).</summary>
    public double AllocatedPerMessage => AllocatedBytes / (double)Messages;

    /// <summary>Runs <paramref name="run"/>, which returns (time to send all, time until all were consumed).</summary>
    public static async Task<Measurement> TakeAsync(string scenario, int messages, Func<Task<(TimeSpan Send, TimeSpan Consume)>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var peak = new PeakMemorySampler();
        var (send, consume) = await run();
        process.Refresh();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new Measurement(scenario, messages, send, consume, process.TotalProcessorTime - cpuBefore, allocated, peak.Peak);
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
