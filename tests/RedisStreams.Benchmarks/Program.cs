// Benchmarks of the Redis Streams transports, side by side with the alternatives, measured in one run.
//   dotnet run -c Release --project tests/RedisStreams.Benchmarks -- <scenario> [options]
// Scenarios: throughput, masstransit, rebus, fanout, latency, memory, idle, cluster, all, smoke (tiny sizes, for CI).
// Options: --messages N --rounds N --seconds N --endpoints N --samples N --chart path.png
// Redis comes from REDIS_STREAMS_TEST_REDIS or a redis-server started on a free loopback port.
using RedisStreams.Benchmarks;
using RedisStreams.Testing;

var scenario = args.FirstOrDefault() ?? "all";
var smoke = scenario == "smoke";
int Option(string name, int full, int tiny)
{
    var index = Array.IndexOf(args, "--" + name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : smoke ? tiny : full;
}

string? Text(string name)
{
    var index = Array.IndexOf(args, "--" + name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

var known = new[] { "throughput", "masstransit", "rebus", "fanout", "latency", "memory", "idle", "cluster", "all", "smoke" };
if (!known.Contains(scenario))
{
    Console.Error.WriteLine($"Unknown scenario '{scenario}'. Known: {string.Join(", ", known)}.");
    return 2;
}

bool Runs(string name) => scenario == name || scenario is "all" or "smoke";

var redis = await RedisTestEnvironment.GetStandaloneAsync();
Console.WriteLine($"Redis: {redis.Description}; machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

if (Runs("throughput"))
{
    var messages = Option("messages", 100_000, 2_000);
    var rounds = Option("rounds", 3, 1);
    var results = new List<Measurement>();
    for (var round = 0; round < rounds; round++)
    {
        // Interleaved A B A B so drift on the shared machine hits every contender alike.
        results.Add(await ThroughputScenarios.RawFloorAsync(redis, messages));
        results.Add(await ThroughputScenarios.EngineAsync(redis, messages, prefetch: 16));
        results.Add(await ThroughputScenarios.EngineAsync(redis, messages, prefetch: 128));
    }

    Console.WriteLine($"\n## Throughput: {messages:N0} messages of 1 KiB, one queue, {rounds} interleaved rounds");
    Report.Throughput(results, baseline: "raw StackExchange.Redis");
    if (Text("chart") is { } chart)
    {
        Chart.Throughput(results, $"{messages:N0} messages of 1 KiB through one queue", chart);
    }
}

// Smoke runs in CI, where no broker is started: it never depends on RabbitMQ.
var rabbit = !smoke && await RabbitMq.AvailableAsync();
if (Runs("masstransit"))
{
    var messages = Option("messages", 100_000, 1_000);
    var rounds = Option("rounds", 3, 1);
    var transports = rabbit ? new[] { "Redis Streams", "RabbitMQ", "in-memory" } : ["Redis Streams", "in-memory"];
    var results = new List<Measurement>();
    for (var round = 0; round < rounds; round++)
    {
        foreach (var transport in transports)
        {
            results.Add(await MassTransitScenarios.ThroughputAsync(transport, redis, messages, null, null));
            results.Add(await MassTransitScenarios.ThroughputAsync(transport, redis, messages, 128, 32));
        }
    }

    Console.WriteLine($"\n## MassTransit: {messages:N0} messages of 1 KiB, one consumer endpoint, {rounds} interleaved rounds");
    if (!rabbit)
    {
        Console.WriteLine("(RabbitMQ was not reachable on localhost:5672, so it was not measured: run scripts/benchmark.sh.)");
    }

    Report.Throughput(results, baseline: "MassTransit on Redis Streams (defaults)");
    if (Text("chart") is { } chart)
    {
        Chart.Throughput(results, $"MassTransit, {messages:N0} messages of 1 KiB, one endpoint", chart);
    }
}

if (Runs("rebus"))
{
    var messages = Option("messages", 100_000, 1_000);
    var rounds = Option("rounds", 3, 1);
    var results = new List<Measurement>();
    for (var round = 0; round < rounds; round++)
    {
        foreach (var transport in new[] { "Redis Streams", "in-memory" })
        {
            results.Add(await RebusScenarios.ThroughputAsync(transport, redis, messages, workers: 1, parallelism: 5));
            results.Add(await RebusScenarios.ThroughputAsync(transport, redis, messages, workers: 4, parallelism: 32));
        }
    }

    Console.WriteLine($"\n## Rebus: {messages:N0} messages of 1 KiB, one queue, {rounds} interleaved rounds");
    Console.WriteLine("(No Rebus RabbitMQ transport can be had here: the Rebus.RabbitMq package is not in our registry.)");
    Report.Throughput(results, baseline: "Rebus on in-memory (1 worker(s), parallelism 5)");
}

if (Runs("fanout"))
{
    var messages = Option("messages", 20_000, 500);
    var rounds = Option("rounds", 3, 1);
    var fanOuts = new[] { 1, 5, 20 };
    var runs = fanOuts.ToDictionary(n => n, _ => new List<(double Published, double Delivered)>());
    for (var round = 0; round < rounds; round++)
    {
        foreach (var subscribers in fanOuts)
        {
            runs[subscribers].Add(await EngineScenarios.FanOutAsync(redis, subscribers, messages));
        }
    }

    Console.WriteLine($"\n## Publish fan-out: {messages:N0} messages of 1 KiB, {rounds} interleaved rounds (medians)");
    Console.WriteLine("| subscriber endpoints | published msg/s | delivered msg/s (all endpoints) |");
    Console.WriteLine("|---|---|---|");
    foreach (var subscribers in fanOuts)
    {
        Console.WriteLine($"| {subscribers} | {Stats.Median([.. runs[subscribers].Select(r => r.Published)]):N0} | {Stats.Median([.. runs[subscribers].Select(r => r.Delivered)]):N0} |");
    }
}

if (Runs("latency"))
{
    var rate = Option("rate", 1000, 200);
    var seconds = Option("seconds", 10, 2);
    var rounds = Option("rounds", 3, 1);
    var transports = rabbit ? new[] { "Redis Streams", "RabbitMQ" } : ["Redis Streams"];
    var engine = new List<double>();
    var oneWay = transports.ToDictionary(t => t, _ => new List<double>());
    var roundTrip = transports.ToDictionary(t => t, _ => new List<double>());
    var sentAt = transports.ToDictionary(t => t, _ => new List<double>());
    for (var round = 0; round < rounds; round++)
    {
        // Interleaved: each round runs the engine, then MassTransit on each transport.
        engine.AddRange(await EngineScenarios.SteadyLatencyAsync(redis, rate, TimeSpan.FromSeconds(seconds)));
        foreach (var transport in transports)
        {
            var (oneWayRun, roundTripRun, sentPerSecond) = await MassTransitScenarios.LatencyAsync(transport, redis, rate, TimeSpan.FromSeconds(seconds));
            oneWay[transport].AddRange(oneWayRun);
            roundTrip[transport].AddRange(roundTripRun);
            sentAt[transport].Add(sentPerSecond);
        }
    }

    Console.WriteLine($"\n## Latency at a steady {rate} msg/s for {seconds} s, {rounds} interleaved rounds (percentiles over every sample)");
    Console.WriteLine("| stack | one-way sent at | send-to-consume p50 | p99 | max | request/response p50 | p99 | max |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    Console.WriteLine($"| engine | {rate:N0} msg/s | {Stats.Median(engine):F2} ms | {Stats.Percentile(engine, 99):F2} ms | {engine.Max():F2} ms | | | |");
    foreach (var transport in transports)
    {
        var (a, b) = (oneWay[transport], roundTrip[transport]);
        Console.WriteLine($"| MassTransit on {transport} (one request in ten) | {Stats.Median(sentAt[transport]):N0} msg/s | {Stats.Median(a):F2} ms | {Stats.Percentile(a, 99):F2} ms | {a.Max():F2} ms | {Stats.Median(b):F2} ms | {Stats.Percentile(b, 99):F2} ms | {b.Max():F2} ms |");
    }
}

if (Runs("memory"))
{
    var messages = Option("messages", 1_000_000, 10_000);
    var perMessage = await EngineScenarios.MemoryPerMessageAsync(redis, messages);
    Console.WriteLine($"\n## Redis memory for {messages:N0} queued messages of 1 KiB (two headers)");
    Console.WriteLine("| used_memory per message | payload | ratio |");
    Console.WriteLine("|---|---|---|");
    Console.WriteLine($"| {perMessage:N0} bytes ({perMessage / 1024:F2} KiB) | 1,024 bytes | {perMessage / 1024:F2} |");
}

if (Runs("idle"))
{
    var rows = await IdleScenario.RunAsync(
        redis,
        endpoints: Option("endpoints", 10, 3),
        idleFor: TimeSpan.FromSeconds(Option("seconds", 30, 2)),
        latencySamples: Option("samples", 200, 10));
    Console.WriteLine("\n## Idle endpoints");
    Console.WriteLine("| measure | value |");
    Console.WriteLine("|---|---|");
    foreach (var (name, value) in rows)
    {
        Console.WriteLine($"| {name} | {value} |");
    }
}

if (Runs("cluster"))
{
    var cluster = await RedisTestEnvironment.GetClusterAsync();
    var messages = Option("messages", 100_000, 1_000);
    var rounds = Option("rounds", 3, 1);
    var results = new List<Measurement>();
    for (var round = 0; round < rounds; round++)
    {
        results.Add(await ThroughputScenarios.RawFloorAsync(cluster, messages));
        results.Add(await ThroughputScenarios.EngineAsync(cluster, messages, prefetch: 128));
        results.Add(await MassTransitScenarios.ThroughputAsync("Redis Streams", cluster, messages, null, null));
        results.Add(await MassTransitScenarios.ThroughputAsync("Redis Streams", cluster, messages, 128, 32));
    }

    Console.WriteLine($"\n## Throughput on a local 3-primary Redis Cluster: {messages:N0} messages of 1 KiB, one queue");
    Report.Throughput(results, baseline: "raw StackExchange.Redis");
}

return 0;
