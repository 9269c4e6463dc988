using System.Collections.Concurrent;

namespace RedisStreams.Rebus.Tests.Bus;

[Collection(RunsAloneCollection.Name)]
public sealed class DeferralTimingTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(DeferralTimingTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task DeferLocalArrivesWithinOneSecondOfItsDueTimeAndNotBefore()
    {
        var arrivals = new ConcurrentQueue<DateTimeOffset>();
        var bus = _harness.StartBus("reminders", a => a.Handle<Reminder>(_ =>
        {
            arrivals.Enqueue(DateTimeOffset.UtcNow);
            return Task.CompletedTask;
        }));
        var delay = TimeSpan.FromSeconds(3);

        var before = DateTimeOffset.UtcNow;
        await bus.DeferLocal(delay, new Reminder("later"));
        var after = DateTimeOffset.UtcNow;

        Assert.True(await Eventually.TrueAsync(() => !arrivals.IsEmpty, TimeSpan.FromSeconds(30)), "the deferred message never arrived");
        var arrived = Assert.Single(arrivals);

        // Rebus computes the due time between 'before' and 'after'; Redis and this process share a clock.
        Assert.True(arrived >= before + delay, $"arrived {(before + delay - arrived).TotalMilliseconds:F0} ms before its due time");
        Assert.True(arrived <= after + delay + TimeSpan.FromSeconds(1), $"arrived {(arrived - after - delay).TotalMilliseconds:F0} ms after its due time");
    }
}
