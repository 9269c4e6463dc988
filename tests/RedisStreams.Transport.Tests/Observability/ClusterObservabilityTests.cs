using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisStreams.Testing;
using RedisStreams.Transport.Tests.Behaviour;
using RedisStreams.Transport.Tests.Resilience;

namespace RedisStreams.Transport.Tests.Observability;

/// <summary>
/// Gauges and health thresholds on a real three-primary Redis Cluster: queues spread over the nodes are each
/// sampled by their own node (one slot per script), pipelined, with the right numbers.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class ClusterObservabilityTests : EngineTestBase
{
    protected override Task<RedisEndpoint> GetRedisAsync() => RedisTestEnvironment.GetClusterAsync();

    [Fact]
    public async Task Queues_on_every_node_are_sampled_and_judged_with_the_right_numbers()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var queues = Enumerable.Range(0, 6).Select(i => (Name: $"cluster-gauged-{run}-{i}", Backlog: i + 2)).ToList();
        var client = NewClient(o => o.GaugeSampleInterval = TimeSpan.FromMilliseconds(200));
        foreach (var (name, backlog) in queues)
        {
            await client.SendManyAsync(Enumerable.Range(0, backlog).Select(n => (name, Message($"{name}-{n}"))));
            await StartReceiverAsync(name, client, prefetch: 1);
        }

        var depths = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RedisStreamsDiagnostics.MeterName && instrument.Name == "redisstreams.queue.depth")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "queue" && tag.Value is string queue)
                {
                    lock (depths)
                    {
                        depths[queue] = value;
                    }
                }
            }
        });
        listener.Start();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        bool Matches()
        {
            lock (depths)
            {
                return queues.All(q => depths.TryGetValue(q.Name, out var d) && d == q.Backlog);
            }
        }

        while (!Matches() && DateTime.UtcNow < deadline)
        {
            listener.RecordObservableInstruments();
            await Task.Delay(100);
        }

        Assert.True(Matches(), "depths: " + string.Join(", ", depths.Where(d => d.Key.Contains(run, StringComparison.Ordinal)).Select(d => $"{d.Key}={d.Value}")));

        // Prefetch 1: one pending per queue, the rest waiting; the lag threshold trips on the queues with 4 or more waiting.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddRedisStreams(_ => client, o =>
        {
            foreach (var (name, _) in queues)
            {
                o.AddQueue(name, q => q.DegradedLag = 4);
            }
        });
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["redis-streams"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        foreach (var (name, backlog) in queues)
        {
            var tripped = entry.Description!.Contains($"queue '{name}': {backlog - 1} messages waiting", StringComparison.Ordinal);
            Assert.Equal(backlog - 1 >= 4, tripped);
        }
    }
}
