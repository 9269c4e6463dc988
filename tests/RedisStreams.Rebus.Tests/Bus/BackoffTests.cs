using System.Collections.Concurrent;
using Rebus.Backoff;
using Rebus.Config;
using Rebus.Messages;
using Rebus.Transport;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// <c>SetBackoffTimes</c> spaces out the receives of an idle bus, as on any transport; a message that arrives while
/// a worker backs off still wakes it at once.
/// </summary>
public sealed class BackoffTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(BackoffTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task CustomBackoffTimesSpaceOutReceivesWhileTheQueueIsEmpty()
    {
        var receives = new CountingTransport.Counter();
        _harness.StartBus(
            "idle",
            a => a.Handle<Ping>(_ => Task.CompletedTask),
            o =>
            {
                o.SetNumberOfWorkers(1);
                o.SetMaxParallelism(1);
                o.SetBackoffTimes(TimeSpan.FromSeconds(1));
                o.Decorate<ITransport>(c => new CountingTransport(c.Get<ITransport>(), receives));
            },
            transport: t => t.ReceiveWait(TimeSpan.FromMilliseconds(10)));

        var window = TimeSpan.FromSeconds(4);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = receives.Value;
        await Task.Delay(window);
        var made = receives.Value - before;

        // With a 1 s back-off about 4 receives fit in the window; ignoring it, a 10 ms receive wait makes hundreds.
        Assert.True(made <= 12, $"{made} receives in {window.TotalSeconds} s of an idle queue with a back-off of 1 s");
        Assert.True(made >= 1, "the worker stopped receiving");
    }

    [Fact]
    public async Task AMessageArrivingDuringALongBackoffIsHandledAtOnce()
    {
        var receives = new CountingTransport.Counter();
        var handled = new ConcurrentBag<int>();
        var bus = _harness.StartBus(
            "idle",
            a => a.Handle<Ping>(ping =>
            {
                handled.Add(ping.Id);
                return Task.CompletedTask;
            }),
            o =>
            {
                o.SetBackoffTimes(TimeSpan.FromMinutes(2));
                o.Decorate<ITransport>(c => new CountingTransport(c.Get<ITransport>(), receives));
            },
            transport: t => t.ReceiveWait(TimeSpan.FromMilliseconds(10)));

        // Every parallel receive has come back empty and is backing off.
        Assert.True(await Eventually.TrueAsync(() => receives.Value >= 5), "the workers never received");
        await Task.Delay(TimeSpan.FromSeconds(1));

        await bus.SendLocal(new Ping(4));

        Assert.True(await Eventually.TrueAsync(() => !handled.IsEmpty, TimeSpan.FromSeconds(20)), "the message waited for the two-minute back-off");
        Assert.Equal([4], handled);
    }

    /// <summary>Counts the receives Rebus's workers make on the real transport underneath.</summary>
    sealed class CountingTransport(ITransport inner, CountingTransport.Counter counter) : ITransport
    {
        public string Address => inner.Address;

        public void CreateQueue(string address) => inner.CreateQueue(address);

        public Task Send(string destinationAddress, TransportMessage message, ITransactionContext context) =>
            inner.Send(destinationAddress, message, context);

        public Task<TransportMessage> Receive(ITransactionContext context, CancellationToken cancellationToken)
        {
            counter.Increment();
            return inner.Receive(context, cancellationToken);
        }

        public sealed class Counter
        {
            int _value;

            public int Value => Volatile.Read(ref _value);

            public void Increment() => Interlocked.Increment(ref _value);
        }
    }
}
