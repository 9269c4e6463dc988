using System.Diagnostics;
using RedisStreams.Testing;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Benchmarks;

/// <summary>
/// One producer and one consumer moving N messages of 1 KiB through one queue: raw StackExchange.Redis
/// (the floor this design can reach on the machine) and the engine.
/// </summary>
internal static class ThroughputScenarios
{
    static readonly byte[] Payload = CreatePayload();

    static byte[] CreatePayload()
    {
        var payload = new byte[1024];
        Random.Shared.NextBytes(payload);
        return payload;
    }

    public const string RawLabel = "raw StackExchange.Redis";

    public static string EngineLabel(int prefetch) => $"engine (prefetch {prefetch})";

    /// <summary>Pipelined XADD; XREADGROUP COUNT 100; XACK + XDEL per batch.</summary>
    public static Task<Measurement> RawFloorAsync(RedisEndpoint redis, int messages) =>
        Measurement.TakeAsync(RawLabel, messages, async () =>
        {
            // Replies on the thread pool, as the engine's own connections have them: the floor gets the same help.
            var configuration = ConfigurationOptions.Parse(redis.ConnectionString);
            configuration.SocketManager = SocketManager.ThreadPool;
            using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            var db = connection.GetDatabase();
            RedisKey stream = $"bench-raw-{Guid.NewGuid():N}";
            await db.StreamCreateConsumerGroupAsync(stream, "g", "0", createStream: true);
            var clock = Stopwatch.StartNew();
            var consumer = Task.Run(async () =>
            {
                var consumed = 0;
                while (consumed < messages)
                {
                    var entries = await db.StreamReadGroupAsync(stream, "g", "c", ">", 100);
                    if (entries.Length == 0)
                    {
                        await Task.Delay(1);
                        continue;
                    }

                    var ids = entries.Select(e => e.Id).ToArray();
                    _ = db.StreamAcknowledgeAsync(stream, "g", ids, CommandFlags.FireAndForget);
                    await db.StreamDeleteAsync(stream, ids);
                    consumed += entries.Length;
                }

                return clock.Elapsed;
            });

            await Chunked.SendAsync(messages, i => db.StreamAddAsync(stream, [new NameValueEntry("MessageId", i), new NameValueEntry("$body", Payload)]));
            var sendTime = clock.Elapsed;
            var consumeTime = await consumer;
            await db.KeyDeleteAsync(stream);
            return (sendTime, consumeTime);
        });

    /// <summary>SendManyAsync in batches of 100; one receiver, up to 16 concurrent handlers acking each message in the background.</summary>
    public static Task<Measurement> EngineAsync(RedisEndpoint redis, int messages, int prefetch) =>
        Measurement.TakeAsync(EngineLabel(prefetch), messages, async () =>
        {
            var options = new RedisStreamsOptions { KeyPrefix = "bench-" + Guid.NewGuid().ToString("N")[..8], PrefetchCount = prefetch };
            await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, options);
            var receiver = client.CreateReceiver("throughput");
            await receiver.StartAsync();
            var clock = Stopwatch.StartNew();
            // Handlers as the adapters run them: several concurrent loops, each receiving and acknowledging
            // without waiting for Redis's reply.
            var remaining = messages;
            var handlers = Enumerable.Range(0, Math.Min(prefetch, 16)).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("The receiver stalled.");
                    receiver.AckInBackground(message);
                }
            })).ToList();
            var consumer = Task.Run(async () =>
            {
                await Task.WhenAll(handlers);
                return clock.Elapsed;
            });

            var headers = new Dictionary<string, string> { ["MessageId"] = "x" };
            var batch = new List<(string, OutgoingMessage)>(100);
            var sends = new List<Task>();
            for (var i = 0; i < messages; i++)
            {
                batch.Add(("throughput", new OutgoingMessage(headers, Payload)));
                if (batch.Count == 100)
                {
                    sends.Add(client.SendManyAsync(batch.ToList()));
                    batch.Clear();
                    if (sends.Count == 10)
                    {
                        await Task.WhenAll(sends);
                        sends.Clear();
                    }
                }
            }

            sends.Add(client.SendManyAsync(batch));
            await Task.WhenAll(sends);
            var sendTime = clock.Elapsed;
            var consumeTime = await consumer;
            await receiver.DisposeAsync();
            await client.DeleteQueueAsync("throughput");
            return (sendTime, consumeTime);
        });
}
