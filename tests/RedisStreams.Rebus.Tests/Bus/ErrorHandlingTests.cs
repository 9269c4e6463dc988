using System.Collections.Concurrent;
using Rebus.Config;
using Rebus.Messages;
using Rebus.Retry.Simple;

namespace RedisStreams.Rebus.Tests.Bus;

public sealed class ErrorHandlingTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(ErrorHandlingTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task FailingHandlerIsTriedFiveTimesThenLandsInTheErrorStream()
    {
        var attempts = 0;
        var bus = _harness.StartBus("orders", a => a.Handle<Poison>(_ =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("the handler always fails");
        }));

        await bus.SendLocal(new Poison(1));

        Assert.True(await Eventually.TrueAsync(async () => (await _harness.ReadStreamAsync("error")).Length > 0), "nothing reached the error stream");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var entry = Assert.Single(await _harness.ReadStreamAsync("error"));
        var fields = entry.Values.ToDictionary(v => (string)v.Name!, v => (string)v.Value!);
        Assert.Equal(5, Volatile.Read(ref attempts));
        Assert.Contains("the handler always fails", fields[Headers.ErrorDetails], StringComparison.Ordinal);
        Assert.Equal("orders", fields[Headers.SourceQueue]);
        Assert.True(fields.ContainsKey(Headers.MessageId));
        Assert.False(fields.ContainsKey(Headers.DeliveryCount), "a stale delivery count was copied into the error queue");
        Assert.Empty(await _harness.ReadStreamAsync("orders"));
    }

    [Fact]
    public async Task SecondLevelRetryHandlesWhatFirstLevelRetriesCouldNot()
    {
        var attempts = 0;
        var secondLevel = new ConcurrentBag<int>();
        var bus = _harness.StartBus(
            "orders",
            a => a
                .Handle<Poison>(_ =>
                {
                    Interlocked.Increment(ref attempts);
                    throw new InvalidOperationException("first level fails");
                })
                .Handle<IFailed<Poison>>(failed =>
                {
                    secondLevel.Add(failed.Message.Id);
                    return Task.CompletedTask;
                }),
            o => o.RetryStrategy(secondLevelRetriesEnabled: true));

        await bus.SendLocal(new Poison(9));

        Assert.True(await Eventually.TrueAsync(() => !secondLevel.IsEmpty), "the second-level handler never ran");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal([9], secondLevel);
        Assert.Equal(5, Volatile.Read(ref attempts));
        Assert.Empty(await _harness.ReadStreamAsync("error"));
    }
}
