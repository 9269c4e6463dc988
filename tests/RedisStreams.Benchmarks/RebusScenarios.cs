using System.Diagnostics;
using Rebus.Activation;
using Rebus.Config;
using Rebus.Routing.TypeBased;
using Rebus.Transport.InMem;
using RedisStreams.Testing;

namespace RedisStreams.Benchmarks;

/// <summary>Rebus moving N messages of 1 KiB through one queue, on Redis Streams and on Rebus's in-memory transport.</summary>
internal static class RebusScenarios
{
    public static string Label(string transport, int workers, int parallelism, int? prefetch = null) =>
        $"Rebus on {transport} ({workers} worker(s), parallelism {parallelism}" + (prefetch is null ? ")" : $", prefetch {prefetch})");

    /// <param name="prefetch">The transport's prefetch; <c>null</c> for about twice the parallelism (at least 16, the default).</param>
    public static Task<Measurement> ThroughputAsync(string transport, RedisEndpoint? redis, int messages, int workers, int parallelism, int? prefetch = null)
    {
        return Measurement.TakeAsync(Label(transport, workers, parallelism, prefetch), messages, async () =>
        {
            var counter = new ConsumedCounter(messages);
            var queue = "bench-" + Guid.NewGuid().ToString("N")[..8];
            var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
            var network = new InMemNetwork();
            using var activator = new BuiltinHandlerActivator();
            activator.Handle<BenchMessage>(_ =>
            {
                counter.Increment();
                return Task.CompletedTask;
            });
            var bus = Configure.With(activator)
                .Logging(l => l.None())
                .Transport(t =>
                {
                    if (transport == "Redis Streams")
                    {
                        t.UseRedisStreams(redis!.ConnectionString, queue).KeyPrefix(prefix).Prefetch(prefetch ?? Math.Max(16, parallelism * 2));
                    }
                    else
                    {
                        t.UseInMemoryTransport(network, queue);
                    }
                })
                .Routing(r => r.TypeBased().Map<BenchMessage>(queue))
                .Options(o =>
                {
                    o.SetNumberOfWorkers(workers);
                    o.SetMaxParallelism(parallelism);
                })
                .Start();

            var clock = Stopwatch.StartNew();
            await Chunked.SendAsync(messages, i => bus.Send(new BenchMessage(i, BenchMessage.KiB)));
            var sendTime = clock.Elapsed;
            await counter.WaitAsync(stalledAfter: TimeSpan.FromMinutes(1));
            return (sendTime, clock.Elapsed);
        });
    }
}
