using System.Diagnostics;
using System.Text;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Benchmarks;

/// <summary>
/// What idle receivers cost Redis and the client, and how fast an idle receiver sees the first message:
/// <paramref name="endpoints"/> receivers on their own queues sit idle for the measured time while Redis's
/// <c>INFO commandstats</c> counts every command; then messages are sent one at a time to idle receivers.
/// </summary>
internal static class IdleScenario
{
    public static async Task<IReadOnlyList<(string Name, string Value)>> RunAsync(RedisEndpoint redis, int endpoints, TimeSpan idleFor, int latencySamples)
    {
        var options = new RedisStreamsOptions { KeyPrefix = "bench-idle-" + Guid.NewGuid().ToString("N")[..6] };
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, options);
        var receivers = new List<QueueReceiver>();
        for (var i = 0; i < endpoints; i++)
        {
            var receiver = client.CreateReceiver($"idle-{i}");
            await receiver.StartAsync();
            receivers.Add(receiver);
        }

        // Let start-up traffic (provisioning, the first sweep) pass before counting.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var commandsBefore = await redis.CommandCallsAsync();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(idleFor);
        var elapsed = clock.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        // The two INFO calls themselves are not the receivers' doing.
        var commands = await redis.CommandCallsAsync() - commandsBefore - 1;
        var perEndpointPerSecond = commands / elapsed.TotalSeconds / endpoints;

        var latencies = new List<double>();
        for (var i = 0; i < latencySamples; i++)
        {
            var receiver = receivers[i % receivers.Count];

            // Make sure the receiver went idle (armed its doorbell) before sending.
            await Task.Delay(50);
            var sent = Stopwatch.GetTimestamp();
            await client.SendAsync(receiver.Queue, new OutgoingMessage(new Dictionary<string, string>(), Encoding.UTF8.GetBytes("ping")));
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("An idle receiver never saw its message.");
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            await receiver.AckAsync(message);
        }

        foreach (var receiver in receivers)
        {
            await receiver.DisposeAsync();
        }

        return
        [
            ("idle endpoints", $"{endpoints}"),
            ("idle time measured", $"{elapsed.TotalSeconds:F1} s"),
            ("Redis commands per idle endpoint per second", $"{perEndpointPerSecond:F2}"),
            ("client CPU while idle (all endpoints)", $"{cpu.TotalMilliseconds / elapsed.TotalSeconds:F2} ms/s"),
            ("idle-to-delivery latency p50", $"{Stats.Median(latencies):F2} ms"),
            ("idle-to-delivery latency p99", $"{Stats.Percentile(latencies, 99):F2} ms"),
            ("idle-to-delivery latency max", $"{latencies.Max():F2} ms"),
            ("latency samples", $"{latencies.Count}"),
        ];
    }
}
