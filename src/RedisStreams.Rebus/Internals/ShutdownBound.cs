using System.Diagnostics;

namespace RedisStreams.Rebus.Internals;

/// <summary>
/// The deadline of a bus's shutdown: it starts when the bus begins disposing and lasts the bus's worker shutdown
/// timeout. Rebus spends it waiting for its workers; the transport waits for unfinished handlers only for what is left,
/// so disposing a bus never takes much longer than the timeout the user set.
/// </summary>
internal sealed class ShutdownBound
{
    // Used when the transport is disposed without a bus telling it when shutdown started.
    static readonly TimeSpan GraceWithoutBus = TimeSpan.FromSeconds(5);

    // A cancellation timer cannot run longer than about 24.8 days; no shutdown needs to.
    static readonly TimeSpan Longest = TimeSpan.FromDays(24);

    long _deadline;

    public void Start(TimeSpan timeout)
    {
        var bounded = timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout > Longest ? Longest : timeout;
        var deadline = Stopwatch.GetTimestamp() + (long)(bounded.TotalSeconds * Stopwatch.Frequency);
        Interlocked.CompareExchange(ref _deadline, deadline, 0);
    }

    public TimeSpan RemainingGrace()
    {
        var deadline = Interlocked.Read(ref _deadline);
        if (deadline == 0)
        {
            return GraceWithoutBus;
        }

        var now = Stopwatch.GetTimestamp();
        return deadline > now ? Stopwatch.GetElapsedTime(now, deadline) : TimeSpan.Zero;
    }
}
