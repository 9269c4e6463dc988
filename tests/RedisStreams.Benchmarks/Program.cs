// Benchmarks of the Redis Streams transports. Usage:
//   dotnet run -c Release --project tests/RedisStreams.Benchmarks -- idle [--seconds 30] [--endpoints 10] [--samples 200]
//   dotnet run -c Release --project tests/RedisStreams.Benchmarks -- smoke
// Redis comes from REDIS_STREAMS_TEST_REDIS or a redis-server started on a free loopback port.
using RedisStreams.Benchmarks;
using RedisStreams.Testing;

var scenario = args.FirstOrDefault() ?? "idle";
int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, "--" + name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

var smoke = scenario == "smoke";
var redis = await RedisTestEnvironment.GetStandaloneAsync();
Console.WriteLine($"Redis: {redis.Description}; machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

switch (scenario)
{
    case "idle":
    case "smoke":
        var rows = await IdleScenario.RunAsync(
            redis,
            endpoints: Option("endpoints", 10),
            idleFor: TimeSpan.FromSeconds(Option("seconds", smoke ? 3 : 30)),
            latencySamples: Option("samples", smoke ? 20 : 200));
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        foreach (var (name, value) in rows)
        {
            Console.WriteLine($"| {name} | {value} |");
        }

        break;
    case "throughput":
        var messages = Option("messages", 100_000);
        var rounds = Option("rounds", 3);
        var results = new List<Measurement>();
        for (var round = 0; round < rounds; round++)
        {
            // Interleaved A B A B so drift on the shared machine hits every contender alike.
            results.Add(await ThroughputScenarios.RawFloorAsync(redis, messages));
            results.Add(await ThroughputScenarios.EngineAsync(redis, messages, prefetch: 16));
            results.Add(await ThroughputScenarios.EngineAsync(redis, messages, prefetch: 128));
        }

        Report.Throughput(results, baseline: "raw StackExchange.Redis");
        break;
    default:
        Console.Error.WriteLine($"Unknown scenario '{scenario}'. Known: idle, throughput, smoke.");
        return 2;
}

return 0;
