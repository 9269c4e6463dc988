using System.Collections.Concurrent;
using Rebus.Config;

namespace RedisStreams.Rebus.Tests.Bus;

public sealed class ResilienceTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(ResilienceTests));
    readonly CancellationTokenSource _testEnd = new();

    public void Dispose()
    {
        _testEnd.Cancel();
        _harness.Dispose();
        _testEnd.Dispose();
    }

    [Fact]
    public async Task BusDisposedMidHandlerLosesNothing()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _harness.StartBus(
            "work",
            a => a.Handle<Ping>(async _ =>
            {
                started.TrySetResult();

                // A handler that ignores shutdown and outlives the worker shutdown timeout.
                await Task.Delay(Timeout.Infinite, _testEnd.Token);
            }),
            o => o.SetWorkerShutdownTimeout(TimeSpan.FromSeconds(1)));
        await first.SendLocal(new Ping(5));
        Assert.True(await Task.WhenAny(started.Task, Task.Delay(TimeSpan.FromSeconds(30))) == started.Task, "the first bus never started handling");

        _harness.DisposeEarly(first);

        var redelivered = new ConcurrentBag<int>();
        _harness.StartBus("work", a => a.Handle<Ping>(ping =>
        {
            redelivered.Add(ping.Id);
            return Task.CompletedTask;
        }));
        Assert.True(await Eventually.TrueAsync(() => !redelivered.IsEmpty), "the message was lost with the disposed bus");
        Assert.Equal([5], redelivered);
    }

    [Fact]
    public async Task TenParallelWorkersHandleEveryMessageOnce()
    {
        var handled = new ConcurrentDictionary<int, int>();
        var running = 0;
        var mostAtOnce = 0;
        var bus = _harness.StartBus(
            "work",
            a => a.Handle<Ping>(async ping =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref mostAtOnce, now);
                await Task.Delay(100);
                Interlocked.Decrement(ref running);
                handled.AddOrUpdate(ping.Id, 1, (_, n) => n + 1);
            }),
            o =>
            {
                o.SetNumberOfWorkers(10);
                o.SetMaxParallelism(10);
            });

        const int count = 100;
        await Task.WhenAll(Enumerable.Range(0, count).Select(id => bus.SendLocal(new Ping(id))));

        Assert.True(await Eventually.TrueAsync(() => handled.Count == count, TimeSpan.FromSeconds(60)), $"handled {handled.Count} of {count}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.All(handled, pair => Assert.Equal(1, pair.Value));
        Assert.True(Volatile.Read(ref mostAtOnce) > 1, "the workers never handled messages in parallel");
    }

    static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
