using System.Globalization;

namespace RedisStreams.Chaos;

/// <summary>
/// What one chaos run does. <see cref="Ci"/> is the bounded run of the test suite; <see cref="Full"/> the long one.
/// <see cref="Scenario"/> picks the fault: <c>process</c> (the default: workers killed, connections cut, Redis
/// restarted from its AOF and paused) or one of the Redis failures of <see cref="Scenarios.ScenarioCatalog"/>.
/// </summary>
internal sealed record ChaosSettings(string Framework, int Messages, int Rate, int Consumers, int WorkerKills, int ConnectionKills, int RedisRestarts, int RedisPauses, TimeSpan Deadline, string? ReportPath)
{
    public const string PoisonDie = "poison-die";
    public const string PoisonThrow = "poison-throw";

    /// <summary>The fault a scenario run injects; <c>process</c> is the original process chaos.</summary>
    public string Scenario { get; init; } = "process";

    /// <summary>Durable writes (<c>RequiredReplicas</c> 1) in producer and workers.</summary>
    public bool Durable { get; init; }

    /// <summary>Runs on an evicting <c>maxmemory-policy</c> with a warning instead of refusing.</summary>
    public bool AllowEvictingPolicy { get; init; }

    /// <summary>Whether this is a full run (longer scenario runs too).</summary>
    public bool IsFull { get; init; }

    public bool IsScenario => Scenario != "process";

    public static ChaosSettings Ci(string framework) => new(framework, 10_000, 500, 3, 2, 2, 1, 1, TimeSpan.FromMinutes(3), null);

    public static ChaosSettings Full(string framework) => new(framework, 100_000, 1_000, 4, 12, 6, 3, 3, TimeSpan.FromMinutes(15), null) { IsFull = true };

    public static ChaosSettings Parse(string[] args)
    {
        string? Value(string name)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        var framework = Value("framework") ?? "engine";
        var scenario = Value("scenario") ?? "process";
        var settings = args.Contains("--full") ? Full(framework) : Ci(framework);
        if (scenario != "process")
        {
            // Scenario runs send each message once for a fixed time and count what the caller was told: fewer
            // messages, fewer worker processes, one fault.
            settings = settings with
            {
                Messages = settings.IsFull ? 10_000 : 2_400,
                Rate = settings.IsFull ? 400 : 200,
                Consumers = 2,
                Deadline = settings.IsFull ? TimeSpan.FromMinutes(5) : TimeSpan.FromMinutes(2),
            };
        }

        return settings with
        {
            Messages = Number("messages", settings.Messages),
            Consumers = Number("consumers", settings.Consumers),
            Rate = Number("rate", settings.Rate),
            WorkerKills = Number("kills", settings.WorkerKills),
            ConnectionKills = Number("connection-kills", settings.ConnectionKills),
            RedisRestarts = Number("restarts", settings.RedisRestarts),
            RedisPauses = Number("pauses", settings.RedisPauses),
            ReportPath = Value("report"),
            Scenario = scenario,
            Durable = Value("durable") is "on" or "true" or "1",
            AllowEvictingPolicy = args.Contains("--allow-evicting-policy"),
        };
    }

    /// <summary>The arguments a worker process needs to run the same stack as the runner.</summary>
    public IEnumerable<string> WorkerArguments()
    {
        yield return "--scenario";
        yield return Scenario;
        yield return "--durable";
        yield return Durable ? "on" : "off";
        if (AllowEvictingPolicy)
        {
            yield return "--allow-evicting-policy";
        }
    }

    /// <summary>How the stacks are configured for this run.</summary>
    public StackOptions Stack => new(
        Durable,
        AllowEvictingPolicy,
        Publish: Scenarios.ScenarioCatalog.Publishes(Scenario),
        WriteRetryTimeout: IsScenario ? TimeSpan.FromSeconds(5) : null);
}

/// <summary>How a framework's producer and workers are configured.</summary>
/// <param name="Durable">RequiredReplicas 1, ReplicationTimeout 500 ms.</param>
/// <param name="AllowEvictingPolicy">Run on an evicting policy with a warning.</param>
/// <param name="Publish">Workers subscribe their queue to the chaos topic; the producer publishes.</param>
/// <param name="WriteRetryTimeout">How long sends ride out an outage before the caller is told; the default when null.</param>
internal sealed record StackOptions(bool Durable, bool AllowEvictingPolicy, bool Publish, TimeSpan? WriteRetryTimeout)
{
    public static readonly TimeSpan ReplicationTimeout = TimeSpan.FromMilliseconds(500);

    public const string Topic = "chaos-event";
}
