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

    public void Increment()
    {
        if (Interlocked.Increment(ref _count) == expected)
        {
            Done.TrySetResult();
        }
    }
}
