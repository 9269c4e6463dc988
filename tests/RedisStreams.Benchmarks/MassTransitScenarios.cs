using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using RedisStreams.Testing;

namespace RedisStreams.Benchmarks;

/// <summary>MassTransit moving N messages of 1 KiB through one endpoint, on each transport, in one process.</summary>
internal static class MassTransitScenarios
{
    // An address, not "localhost": the broker listens on IPv4 loopback only, and "localhost" may resolve to ::1 first.
    public const string RabbitMqHost = "127.0.0.1";

    /// <summary>
    /// Where senders and request clients address the endpoint's queue. On RabbitMQ the receive endpoint declares
    /// its queue auto-delete (the broker is left clean), and a send endpoint declares its destination queue too,
    /// from the address: plain <c>queue:name</c> declares it durable and not auto-delete, the broker refuses the
    /// second declaration (406 PRECONDITION_FAILED, inequivalent arg 'auto_delete') and closes the channel, and
    /// MassTransit retries the declaration for ever, so no send ever completes. The address must say auto-delete.
    /// </summary>
    static Uri QueueAddress(string transport, string queue) =>
        new(transport == "RabbitMQ" ? $"queue:{queue}?autodelete=true" : $"queue:{queue}");

    public static string Label(string transport, int? prefetch, int? concurrency) =>
        $"MassTransit on {transport}" + (prefetch is null ? " (defaults)" : $" (prefetch {prefetch}, concurrency {concurrency})");

    public static Task<Measurement> ThroughputAsync(string transport, RedisEndpoint? redis, int messages, int? prefetch, int? concurrency)
    {
        return Measurement.TakeAsync(Label(transport, prefetch, concurrency), messages, async () =>
        {
            var counter = new ConsumedCounter(messages);
            var queue = "bench-" + Guid.NewGuid().ToString("N")[..8];
            await using var provider = Build(transport, redis, counter, queue, prefetch, concurrency);
            var bus = provider.GetRequiredService<IBusControl>();
            await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
            var endpoint = await bus.GetSendEndpoint(QueueAddress(transport, queue));
            var clock = Stopwatch.StartNew();
            await Chunked.SendAsync(messages, i => endpoint.Send(new BenchMessage(i, BenchMessage.KiB)));
            var sendTime = clock.Elapsed;
            await counter.WaitAsync(stalledAfter: TimeSpan.FromMinutes(1));
            var consumeTime = clock.Elapsed;
            await bus.StopAsync();
            return (sendTime, consumeTime);
        });
    }

    /// <summary>
    /// Sends one-way messages at a steady rate with one request in ten alongside. Returns send-to-consume latencies
    /// (ms, from just before each send to its consumption), request/response round trips (ms, from just before each
    /// request to its response) and the rate the one-way messages were sent at.
    /// </summary>
    public static async Task<(List<double> OneWay, List<double> RoundTrip, double SentPerSecond)> LatencyAsync(string transport, RedisEndpoint? redis, int ratePerSecond, TimeSpan duration)
    {
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var oneWay = new List<double>(total);
        var counter = new ConsumedCounter(total);
        var queue = "latency-" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = Build(transport, redis, counter, queue, null, null, oneWay);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
        var endpoint = await bus.GetSendEndpoint(QueueAddress(transport, queue));
        var client = bus.CreateRequestClient<BenchRequest>(QueueAddress(transport, queue), RequestTimeout.After(s: 30));

        // Warm up before the clock starts. MassTransit's bus request client connects each request's response handler
        // synchronously and, until the bus endpoint has reported itself started (a moment after StartAsync returns),
        // blocks a thread-pool thread waiting for it. Requests fired at 100/s in that moment each held a thread and
        // starved the pool that the start-up itself needed to finish: runs stalled for minutes on both transports.
        // The round trips also create the send transports and the response path, which are not what is measured.
        for (var i = 0; i < 10; i++)
        {
            await client.GetResponse<BenchResponse>(new BenchRequest(Stopwatch.GetTimestamp()));
        }

        var roundTrips = new List<double>(total / 10 + 1);
        var pending = new List<Task>(total + (total / 10) + 1);
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < total; n++)
        {
            var wait = TimeSpan.FromSeconds(n / (double)ratePerSecond) - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(wait);
            }

            pending.Add(endpoint.Send(new BenchMessage(-1, BitConverter.GetBytes(Stopwatch.GetTimestamp()))));
            if (n % 10 == 0)
            {
                // One request in ten, alongside the one-way traffic.
                pending.Add(RequestAsync());
            }
        }

        var sending = clock.Elapsed;
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromMinutes(1));
        await counter.WaitAsync(stalledAfter: TimeSpan.FromMinutes(1));
        await bus.StopAsync();
        return (oneWay, roundTrips, total / sending.TotalSeconds);

        async Task RequestAsync()
        {
            var started = Stopwatch.GetTimestamp();
            await client.GetResponse<BenchResponse>(new BenchRequest(started));
            var roundTrip = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (roundTrips)
            {
                roundTrips.Add(roundTrip);
            }
        }
    }

    static ServiceProvider Build(string transport, RedisEndpoint? redis, ConsumedCounter counter, string queue, int? prefetch, int? concurrency, List<double>? latencies = null)
    {
        var services = new ServiceCollection();

        // MassTransit reports transport failures (a refused declaration, a dropped channel) only through its log.
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Error)
            .AddSimpleConsole(o => o.SingleLine = true)
            .Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddSingleton(counter);
        services.AddSingleton(new LatencyLog(latencies));
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.AddConsumer<BenchConsumer>();
            x.AddConsumer<BenchResponder>();
            void Endpoint(IReceiveEndpointConfigurator e, IBusRegistrationContext context)
            {
                if (prefetch is { } p)
                {
                    e.PrefetchCount = p;
                }

                if (concurrency is { } c)
                {
                    e.ConcurrentMessageLimit = c;
                }

                e.ConfigureConsumer<BenchConsumer>(context);
                e.ConfigureConsumer<BenchResponder>(context);
            }

            switch (transport)
            {
                case "Redis Streams":
                    x.UsingRedisStreams((context, cfg) =>
                    {
                        cfg.Host(redis!.ConnectionString);
                        cfg.KeyPrefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
                        cfg.ReceiveEndpoint(queue, e => Endpoint(e, context));
                    });
                    break;
                case "RabbitMQ":
                    x.UsingRabbitMq((context, cfg) =>
                    {
                        cfg.Host(RabbitMqHost, "/", h =>
                        {
                            h.Username("guest");
                            h.Password("guest");
                        });
                        cfg.ReceiveEndpoint(queue, e =>
                        {
                            e.AutoDelete = true;
                            Endpoint(e, context);
                        });
                    });
                    break;
                case "in-memory":
                    x.UsingInMemory((context, cfg) => cfg.ReceiveEndpoint(queue, e => Endpoint(e, context)));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(transport), transport, "Unknown transport.");
            }
        });
        return services.BuildServiceProvider();
    }
}

/// <summary>Where the latency scenario records send-to-consume times; <c>null</c> list for throughput runs.</summary>
public sealed record LatencyLog(List<double>? Latencies);

/// <summary>Counts messages (and records latency when asked).</summary>
public sealed class BenchConsumer(ConsumedCounter counter, LatencyLog log) : IConsumer<BenchMessage>
{
    public Task Consume(ConsumeContext<BenchMessage> context)
    {
        if (log.Latencies is { } latencies)
        {
            var sent = BitConverter.ToInt64(context.Message.Payload);
            lock (latencies)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }

        counter.Increment();
        return Task.CompletedTask;
    }
}

/// <summary>Answers requests at once.</summary>
public sealed class BenchResponder : IConsumer<BenchRequest>
{
    public Task Consume(ConsumeContext<BenchRequest> context) => context.RespondAsync(new BenchResponse(context.Message.SentTicks));
}
