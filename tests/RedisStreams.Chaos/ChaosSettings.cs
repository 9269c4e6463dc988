using System.Globalization;

namespace RedisStreams.Chaos;

/// <summary>What one chaos run does. <see cref="Ci"/> is the bounded run of the test suite; <see cref="Full"/> the long one.</summary>
internal sealed record ChaosSettings(string Framework, int Messages, int Rate, int Consumers, int WorkerKills, int ConnectionKills, int RedisRestarts, int RedisPauses, TimeSpan Deadline, string? ReportPath)
{
    public const string PoisonDie = "poison-die";
    public const string PoisonThrow = "poison-throw";

    public static ChaosSettings Ci(string framework) => new(framework, 10_000, 500, 3, 2, 2, 1, 1, TimeSpan.FromMinutes(3), null);

    public static ChaosSettings Full(string framework) => new(framework, 100_000, 1_000, 4, 12, 6, 3, 3, TimeSpan.FromMinutes(15), null);

    public static ChaosSettings Parse(string[] args)
    {
        string? Value(string name)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        var framework = Value("framework") ?? "engine";
        var settings = args.Contains("--full") ? Full(framework) : Ci(framework);
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
        };
    }
}
