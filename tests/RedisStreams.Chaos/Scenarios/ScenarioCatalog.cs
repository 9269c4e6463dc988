namespace RedisStreams.Chaos.Scenarios;

/// <summary>The scenarios the runner knows, by the name <c>--scenario</c> takes.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        ["sentinel-failover", "cluster-failover", "slot-migration", "data-loss-pubsub", "evicting-policy", "oom", "hostile"];

    public static IChaosScenario Create(string name) => name switch
    {
        "sentinel-failover" => new SentinelFailoverScenario(),
        "cluster-failover" => new ClusterFailoverScenario(),
        "slot-migration" => new SlotMigrationScenario(),
        "data-loss-pubsub" => new DataLossPubSubScenario(),
        "evicting-policy" => new EvictingPolicyScenario(),
        "oom" => new OutOfMemoryScenario(),
        "hostile" => new HostileEntriesScenario(),
        _ => throw new ArgumentException($"Unknown scenario '{name}'. Known: process, {string.Join(", ", Names)}."),
    };

    /// <summary>Whether the producer publishes to a topic (workers subscribe) instead of sending to the queue.</summary>
    public static bool Publishes(string name) => name == "data-loss-pubsub";
}
