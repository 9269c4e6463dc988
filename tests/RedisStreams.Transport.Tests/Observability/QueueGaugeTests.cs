using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using RedisStreams.Testing;
using RedisStreams.Transport.Tests.Behaviour;
using RedisStreams.Transport.Tests.Resilience;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RedisStreams.Transport.Tests.Observability;

/// <summary>
/// The queue gauges (issue 11) against a real Redis: right numbers for a known backlog, read the way OpenTelemetry
/// reads them (a <see cref="MeterListener"/>), and a bounded cost. In the collection that runs alone: whether anything
/// listens to the gauges is process-wide, and one test proves that nothing is sampled when nobody does.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class QueueGaugeTests(ITestOutputHelper output) : EngineTestBase
{
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    protected override Task<RedisEndpoint> GetRedisAsync() => RedisTestEnvironment.GetStandaloneAsync();

    [Fact]
    public async Task Gauges_report_a_known_backlog_read_through_a_MeterListener()
    {
        var queue = "gauged-" + Guid.NewGuid().ToString("N")[..8];
        using var gauges = new GaugeReader(queue);
        var client = NewClient(o => o.GaugeSampleInterval = Interval);
        await client.SendManyAsync(Enumerable.Range(0, 10).Select(i => (queue, Message($"m{i}"))));
        for (var i = 0; i < 4; i++)
        {
            await client.SendAsync(queue, Message($"later{i}", delay: TimeSpan.FromHours(1)));
        }

        // Prefetch 3: the receiver holds three (pending); two of them go to the dead-letter stream and it takes two more.
        var receiver = await StartReceiverAsync(queue, client, prefetch: 3);
        for (var i = 0; i < 2; i++)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            await receiver.DeadLetterAsync(message, "the test gives up");
        }

        var expected = new Dictionary<string, double>
        {
            ["redisstreams.queue.depth"] = 8,
            ["redisstreams.queue.lag"] = 5,
            ["redisstreams.queue.pending"] = 3,
            ["redisstreams.queue.dead_letter.depth"] = 2,
            ["redisstreams.queue.delayed"] = 4,
            ["redisstreams.queue.consumers"] = 1,
        };
        var matched = await gauges.EventuallyAsync(values => expected.All(e => values.TryGetValue(e.Key, out var v) && v == e.Value) && values.ContainsKey("redisstreams.queue.oldest_pending.age"));
        Assert.True(matched, "gauges read " + gauges.Describe());
        var age = gauges.Values["redisstreams.queue.oldest_pending.age"];
        Assert.InRange(age, 0, 300);

        // The oldest pending message grows older on Redis's clock while it stays unsettled.
        Assert.True(await gauges.EventuallyAsync(values => values["redisstreams.queue.oldest_pending.age"] >= age + 0.5), "the oldest pending age grows: " + gauges.Describe());
    }

    [Fact]
    public async Task A_queue_named_in_GaugeQueues_is_sampled_without_a_receiver_and_stops_with_its_client()
    {
        var queue = "orders_error-" + Guid.NewGuid().ToString("N")[..8];
        using var gauges = new GaugeReader(queue);
        var client = NewClient(o =>
        {
            o.GaugeSampleInterval = Interval;
            o.GaugeQueues = [queue];
        });
        await client.SendManyAsync(Enumerable.Range(0, 3).Select(i => (queue, Message($"failed{i}"))));

        // Nobody consumes it: no group, so no lag; its depth is the stream's length.
        Assert.True(await gauges.EventuallyAsync(values => values.GetValueOrDefault("redisstreams.queue.depth") == 3), "gauges read " + gauges.Describe());
        Assert.False(gauges.Values.ContainsKey("redisstreams.queue.lag"));
        Assert.Equal(0, gauges.Values["redisstreams.queue.consumers"]);

        await client.DisposeAsync();
        Assert.True(await gauges.EventuallyAsync(values => !values.ContainsKey("redisstreams.queue.depth")), "left the gauges: " + gauges.Describe());
    }

    [Fact]
    public async Task Sampling_sends_nothing_while_nobody_listens_and_one_script_call_per_queue_and_interval_when_something_does()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", TestOptions(o => o.GaugeSampleInterval = Interval));
        string[] queues = ["cost-a", "cost-b", "cost-c"];
        var receivers = queues.Select(q => client.CreateReceiver(q)).ToList();
        foreach (var receiver in receivers)
        {
            await receiver.StartAsync();
        }

        // XINFO GROUPS runs at a receiver's start and, after that, only in the gauges' script.
        var before = await CommandCountsAsync(admin, server.Port);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var quiet = Delta(before, await CommandCountsAsync(admin, server.Port));
        Assert.Equal(0, quiet.GetValueOrDefault("xinfo|groups"));

        using var gauges = new GaugeReader(queues[0]);
        await Task.Delay(Interval * 2);
        var started = await CommandCountsAsync(admin, server.Port);
        var window = TimeSpan.FromSeconds(3);
        await Task.Delay(window);
        var sampled = Delta(started, await CommandCountsAsync(admin, server.Port));

        var samples = sampled.GetValueOrDefault("xinfo|groups");
        var perQueuePerSecond = samples / queues.Length / window.TotalSeconds;
        output.WriteLine($"{samples} samples of {queues.Length} queues in {window.TotalSeconds} s at a {Interval.TotalMilliseconds} ms interval: {perQueuePerSecond:0.00} script calls per queue per second");
        output.WriteLine("commands run inside the samples: " + string.Join(", ", sampled.Where(c => c.Key is "xlen" or "xinfo|groups" or "xpending" or "zcard" or "time").Select(c => $"{c.Key} {c.Value}")));
        Assert.True(samples > 0, "sampled while a listener is subscribed");
        Assert.True(samples <= queues.Length * ((window / Interval) + 2), $"at most one sample per queue and interval, took {samples}");
        foreach (var receiver in receivers)
        {
            await receiver.DisposeAsync();
        }
    }

    static async Task<Dictionary<string, long>> CommandCountsAsync(IConnectionMultiplexer admin, int port)
    {
        var info = await admin.GetServer("127.0.0.1", port).InfoAsync("commandstats");
        return info.SelectMany(g => g).ToDictionary(
            p => p.Key["cmdstat_".Length..],
            p => long.Parse(p.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
    }

    static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key));

    /// <summary>Reads the engine's queue gauges for one queue, as an OpenTelemetry reader would, on demand.</summary>
    sealed class GaugeReader : IDisposable
    {
        readonly string _queue;
        readonly MeterListener _listener = new();

        public GaugeReader(string queue)
        {
            _queue = queue;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RedisStreamsDiagnostics.MeterName && instrument.Name.StartsWith("redisstreams.queue.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.Start();
        }

        public ConcurrentDictionary<string, double> Values { get; } = new();

        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "queue" && (string?)tag.Value == _queue)
                {
                    Values[instrument.Name] = value;
                }
            }
        }

        /// <summary>Collects, as an exporter does, until <paramref name="condition"/> holds (20 s at most).</summary>
        public async Task<bool> EventuallyAsync(Func<IReadOnlyDictionary<string, double>, bool> condition)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (true)
            {
                Values.Clear();
                _listener.RecordObservableInstruments();
                if (condition(Values))
                {
                    return true;
                }

                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(100);
            }
        }

        public string Describe() => string.Join(", ", Values.OrderBy(v => v.Key).Select(v => $"{v.Key}={v.Value}"));

        public void Dispose() => _listener.Dispose();
    }
}
