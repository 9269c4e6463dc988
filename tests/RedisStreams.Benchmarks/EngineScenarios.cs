using System.Diagnostics;
using System.Globalization;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Benchmarks;

/// <summary>Fan-out, steady-rate latency and Redis memory per message, on the engine.</summary>
internal static class EngineScenarios
{
    static readonly byte[] Payload = new byte[1024];

    static RedisStreamsOptions Options(int prefetch = 64) =>
        new() { KeyPrefix = "bench-" + Guid.NewGuid().ToString("N")[..8], PrefetchCount = prefetch };

    /// <summary>Publishes <paramref name="messages"/> to a topic with <paramref name="subscribers"/> subscribed queues, each consumed by its own receiver.</summary>
    public static async Task<(double PublishedPerSecond, double DeliveredPerSecond)> FanOutAsync(RedisEndpoint redis, int subscribers, int messages)
    {
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, Options());
        var receivers = new List<QueueReceiver>();
        for (var i = 0; i < subscribers; i++)
        {
            await client.Subscriptions.SubscribeAsync("fan-out", $"subscriber-{i}");
            var receiver = client.CreateReceiver($"subscriber-{i}");
            await receiver.StartAsync();
            receivers.Add(receiver);
        }

        var clock = Stopwatch.StartNew();
        var consumers = receivers.Select(r => Task.Run(async () =>
        {
            for (var n = 0; n < messages; n++)
            {
                var message = await r.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("A subscriber stalled.");
                _ = r.AckAsync(message);
            }
        })).ToList();

        var message = new OutgoingMessage(new Dictionary<string, string> { ["MessageType"] = "fan-out" }, Payload);
        var publishing = new List<Task>(256);
        for (var i = 0; i < messages; i++)
        {
            publishing.Add(client.PublishAsync("fan-out", message));
            if (publishing.Count == 256)
            {
                await Task.WhenAll(publishing);
                publishing.Clear();
            }
        }

        await Task.WhenAll(publishing);
        var published = clock.Elapsed;
        await Task.WhenAll(consumers);
        var delivered = clock.Elapsed;
        foreach (var receiver in receivers)
        {
            await receiver.DisposeAsync();
            await client.DeleteQueueAsync(receiver.Queue);
        }

        return (messages / published.TotalSeconds, messages * (double)subscribers / delivered.TotalSeconds);
    }

    /// <summary>Sends at a steady rate and measures send-to-consume latency of each message.</summary>
    public static async Task<List<double>> SteadyLatencyAsync(RedisEndpoint redis, int ratePerSecond, TimeSpan duration)
    {
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, Options());
        var receiver = client.CreateReceiver("latency");
        await receiver.StartAsync();
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var latencies = new List<double>(total);
        var consumer = Task.Run(async () =>
        {
            for (var n = 0; n < total; n++)
            {
                var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("The receiver stalled.");
                var sent = long.Parse(message.Headers["sent-ticks"], CultureInfo.InvariantCulture);
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                _ = receiver.AckAsync(message);
            }
        });

        var clock = Stopwatch.StartNew();
        var sends = new List<Task>();
        for (var n = 0; n < total; n++)
        {
            // Paced by the clock, not by sleeps of 1 ms that the OS rounds up.
            var due = TimeSpan.FromSeconds(n / (double)ratePerSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(wait);
            }

            var headers = new Dictionary<string, string> { ["sent-ticks"] = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) };
            sends.Add(client.SendAsync("latency", new OutgoingMessage(headers, Payload)));
        }

        await Task.WhenAll(sends);
        await consumer;
        await receiver.DisposeAsync();
        await client.DeleteQueueAsync("latency");
        return latencies;
    }

    /// <summary>Queues <paramref name="messages"/> messages of 1 KiB and reads Redis's <c>used_memory</c> before and after.</summary>
    public static async Task<double> MemoryPerMessageAsync(RedisEndpoint redis, int messages)
    {
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, Options());
        await client.ProvisionQueueAsync("memory");
        var before = await UsedMemoryAsync(redis);
        var headers = new Dictionary<string, string> { ["MessageId"] = Guid.NewGuid().ToString(), ["Content-Type"] = "application/json" };
        var batch = Enumerable.Range(0, 1000).Select(_ => ("memory", new OutgoingMessage(headers, Payload))).ToList();
        var sends = new List<Task>();
        for (var sent = 0; sent < messages; sent += batch.Count)
        {
            sends.Add(client.SendManyAsync(batch));
            if (sends.Count == 8)
            {
                await Task.WhenAll(sends);
                sends.Clear();
            }
        }

        await Task.WhenAll(sends);
        var after = await UsedMemoryAsync(redis);
        await client.DeleteQueueAsync("memory");
        return (after - before) / (double)messages;
    }

    static async Task<long> UsedMemoryAsync(RedisEndpoint redis)
    {
        long total = 0;
        foreach (var server in await redis.PrimariesAsync())
        {
            var info = await server.InfoAsync("memory");
            total += long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
        }

        return total;
    }
}
