// Benchmarks of the Redis Streams transports, side by side with the alternatives, measured in one run.
//   dotnet run -c Release --project tests/RedisStreams.Benchmarks -- <scenario> [options]
// Scenarios: throughput, masstransit, rebus, scaling, fanout, latency, memory, idle, cluster, all, smoke (tiny sizes, for CI);
// several at once separated by commas (throughput,masstransit,rebus).
// Options: --messages N --rounds N --seconds N --endpoints N --samples N --chart path.png
//   --only text: run only the throughput rows whose label contains the text (to profile one of them).
// Redis comes from REDIS_STREAMS_TEST_REDIS or a redis-server started on a free loopback port.
using RedisStreams.Benchmarks;
using RedisStreams.Testing;

if (args.FirstOrDefault() == ScalingScenarios.ConsumerMode)
{
    // A consumer process started by the scaling scenario.
    return await ScalingScenarios.RunConsumerAsync(args[1], args[2], args[3]);
}

var scenarios = (args.FirstOrDefault() ?? "all").Split(',', StringSplitOptions.RemoveEmptyEntries);
var smoke = scenarios.Contains("smoke");
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

var known = new[] { "throughput", "masstransit", "rebus", "scaling", "fanout", "latency", "memory", "idle", "cluster", "all", "smoke" };
if (scenarios.FirstOrDefault(s => !known.Contains(s)) is { } unknown)
{
    Console.Error.WriteLine($"Unknown scenario '{unknown}'. Known: {string.Join(", ", known)}.");
    return 2;
}

bool Runs(string name) => scenarios.Contains(name) || scenarios.Contains("all") || smoke;

// Filters throughput rows by label; a row not wanted is not run at all.
var only = Text("only");
async Task Add(List<Measurement> results, string label, Func<Task<Measurement>> run)
{
    if (only is null || label.Contains(only, StringComparison.OrdinalIgnoreCase))
    {
        results.Add(await run());
    }
}

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
        await Add(results, ThroughputScenarios.RawLabel, () => ThroughputScenarios.RawFloorAsync(redis, messages));
        await Add(results, ThroughputScenarios.EngineLabel(16), () => ThroughputScenarios.EngineAsync(redis, messages, prefetch: 16));
        await Add(results, ThroughputScenarios.EngineLabel(128), () => ThroughputScenarios.EngineAsync(redis, messages, prefetch: 128));
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
            await Add(results, MassTransitScenarios.Label(transport, null, null), () => MassTransitScenarios.ThroughputAsync(transport, redis, messages, null, null));
            await Add(results, MassTransitScenarios.Label(transport, 128, 32), () => MassTransitScenarios.ThroughputAsync(transport, redis, messages, 128, 32));
            if (transport == "Redis Streams")
            {
                // MassTransit's default concurrency with a larger prefetch: what the prefetch alone buys.
                await Add(results, MassTransitScenarios.Label(transport, 128, 16), () => MassTransitScenarios.ThroughputAsync(transport, redis, messages, 128, 16));
            }
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
            await Add(results, RebusScenarios.Label(transport, 1, 5), () => RebusScenarios.ThroughputAsync(transport, redis, messages, workers: 1, parallelism: 5));
            await Add(results, RebusScenarios.Label(transport, 4, 32), () => RebusScenarios.ThroughputAsync(transport, redis, messages, workers: 4, parallelism: 32));
            if (transport == "Redis Streams")
            {
                // Rebus's default workers and parallelism with a larger prefetch: what the prefetch alone buys.
                await Add(results, RebusScenarios.Label(transport, 1, 5, 128), () => RebusScenarios.ThroughputAsync(transport, redis, messages, workers: 1, parallelism: 5, prefetch: 128));
            }
        }
    }

    Console.WriteLine($"\n## Rebus: {messages:N0} messages of 1 KiB, one queue, {rounds} interleaved rounds");
    Console.WriteLine("(No Rebus RabbitMQ transport can be had here: the Rebus.RabbitMq package is not in our registry.)");
    Report.Throughput(results, baseline: "Rebus on in-memory (1 worker(s), parallelism 5)");
}

if (Runs("scaling"))
{
    var messages = Option("messages", 100_000, 1_000);
    var rounds = Option("rounds", 3, 1);
    int[] processCounts = smoke ? [1, 2] : [1, 2, 4];
    int[] queueCounts = smoke ? [1, 10] : [1, 10, 100];
    var byProcesses = processCounts.ToDictionary(n => n, _ => new List<(double PerSecond, double Cpu)>());
    var byQueues = queueCounts.ToDictionary(n => n, _ => new List<(double PerSecond, double Cpu)>());
    for (var round = 0; round < rounds; round++)
    {
        foreach (var processes in processCounts)
        {
            byProcesses[processes].Add(await ScalingScenarios.ProcessesAsync(redis, processes, messages));
        }

        foreach (var queues in queueCounts)
        {
            byQueues[queues].Add(await ScalingScenarios.QueuesAsync(redis, queues, messages));
        }
    }

    Console.WriteLine($"\n## Scaling: a backlog of {messages:N0} messages of 1 KiB drained by engine receivers (prefetch 16, 16 handler loops each), {rounds} interleaved rounds (medians)");
    Console.WriteLine("| consumers | consumed msg/s | ratio to one | consumer CPU s |");
    Console.WriteLine("|---|---|---|---|");
    void Rows(string unit, Dictionary<int, List<(double PerSecond, double Cpu)>> runs)
    {
        var one = Stats.Median([.. runs.First().Value.Select(r => r.PerSecond)]);
        foreach (var (count, results) in runs)
        {
            var perSecond = Stats.Median([.. results.Select(r => r.PerSecond)]);
            Console.WriteLine($"| {count} {unit} | {perSecond:N0} | {perSecond / one:F2} | {Stats.Median([.. results.Select(r => r.Cpu)]):F1} |");
        }
    }

    Rows("process(es), one queue", byProcesses);
    Rows("queue(s), one process", byQueues);
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
