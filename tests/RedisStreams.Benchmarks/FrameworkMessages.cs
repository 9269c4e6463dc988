using System.Diagnostics;

namespace RedisStreams.Benchmarks;

/// <summary>The benchmark message: 1 KiB of payload plus an index.</summary>
public sealed record BenchMessage(int Index, byte[] Payload)
{
    public static readonly byte[] KiB = new byte[1024];
}

/// <summary>A request for the round-trip latency scenario.</summary>
public sealed record BenchRequest(long SentTicks);

/// <summary>The reply to <see cref="BenchRequest"/>.</summary>
public sealed record BenchResponse(long SentTicks);

/// <summary>Counts consumed messages and completes when all arrived.</summary>
public sealed class ConsumedCounter(int expected)
{
    int _count;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Waits until all arrived; fails when none arrived for <paramref name="stalledAfter"/>, so a transport
    /// that stops delivering fails the run instead of keeping it waiting for minutes.
    /// </summary>
    public async Task WaitAsync(TimeSpan stalledAfter)
    {
        var seen = Volatile.Read(ref _count);
        var since = Stopwatch.GetTimestamp();
        while (!Done.Task.IsCompleted)
        {
            await Task.WhenAny(Done.Task, Task.Delay(TimeSpan.FromSeconds(1)));
            var now = Volatile.Read(ref _count);
            if (now != seen)
            {
                seen = now;
                since = Stopwatch.GetTimestamp();
            }
            else if (!Done.Task.IsCompleted && Stopwatch.GetElapsedTime(since) > stalledAfter)
            {
                throw new TimeoutException($"Stalled: {now:N0} of {expected:N0} messages consumed, none in the last {stalledAfter.TotalSeconds:N0} s.");
            }
        }
    }

    public void Increment()
    {
        if (Interlocked.Increment(ref _count) == expected)
        {
            Done.TrySetResult();
        }
    }
}
