using System.Diagnostics;
using Rebus.Config;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// <c>SetWorkerShutdownTimeout</c> bounds how long disposing the bus waits for handlers; the transport adds no wait of
/// its own on top. Runs alone: it measures how long a dispose takes, which a saturated machine would stretch.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class ShutdownTimeoutTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(ShutdownTimeoutTests));
    readonly CancellationTokenSource _testEnd = new();

    public void Dispose()
    {
        _testEnd.Cancel();
        _harness.Dispose();
        _testEnd.Dispose();
    }

    [Fact]
    public async Task DisposingTheBusKeepsToTheWorkerShutdownTimeoutAndGivesTheMessageBack()
    {
        var shutdownTimeout = TimeSpan.FromSeconds(3);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = _harness.StartBus(
            "work",
            a => a.Handle<Ping>(async _ =>
            {
                started.TrySetResult();

                // Ignores the bus's cancellation: only the end of the test releases it.
                await Task.Delay(Timeout.Infinite, _testEnd.Token);
            }),
            o => o.SetWorkerShutdownTimeout(shutdownTimeout));
        await bus.SendLocal(new Ping(1));
        Assert.True(await Task.WhenAny(started.Task, Task.Delay(TimeSpan.FromSeconds(30))) == started.Task, "the handler never started");

        var stopwatch = Stopwatch.StartNew();
        _harness.DisposeEarly(bus);
        stopwatch.Stop();

        // Before, the transport waited five more seconds of its own after Rebus's timeout; the margin below is
        // generous for a busy machine and still far from that.
        Assert.True(stopwatch.Elapsed < shutdownTimeout + TimeSpan.FromSeconds(2.5), $"disposing took {stopwatch.Elapsed.TotalSeconds:F1} s with a worker shutdown timeout of {shutdownTimeout.TotalSeconds} s");
        var left = Assert.Single(await _harness.ReadStreamAsync("work"));
        Assert.False(left.IsNull, "the message held by the unfinished handler was lost");
    }
}
