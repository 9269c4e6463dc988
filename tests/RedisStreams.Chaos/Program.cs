// Chaos runner. Bounded run (CI):   dotnet run -c Release --project tests/RedisStreams.Chaos -- run --framework engine
// Full run:                         dotnet run -c Release --project tests/RedisStreams.Chaos -- run --framework engine --full --report chaos.md
// Redis failures:                   dotnet run -c Release --project tests/RedisStreams.Chaos -- run --framework rebus --scenario sentinel-failover --durable on [--full]
//   scenarios: sentinel-failover, cluster-failover, slot-migration, data-loss-pubsub, evicting-policy [--allow-evicting-policy], oom, hostile
// A worker (started by the runner): ... -- worker --framework engine --redis host:port --prefix p --ledger file
using System.Runtime.InteropServices;
using RedisStreams.Chaos;

var frameworks = new Dictionary<string, IChaosFramework>(StringComparer.Ordinal)
{
    ["engine"] = new EngineChaos(),
    ["rebus"] = new RebusChaos(),
    ["masstransit"] = new MassTransitChaos(),
};

string Value(string name) =>
    Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"--{name} is required");

var settings = ChaosSettings.Parse(args);
if (!frameworks.TryGetValue(settings.Framework, out var framework))
{
    Console.Error.WriteLine($"Unknown framework '{settings.Framework}'. Known: {string.Join(", ", frameworks.Keys)}.");
    return 2;
}

switch (args.FirstOrDefault())
{
    case "run" when settings.IsScenario:
        return await new RedisStreams.Chaos.Scenarios.ScenarioRun(settings, framework).RunAsync() ? 0 : 1;
    case "run":
        return await new ChaosRun(settings, framework).RunAsync() ? 0 : 1;
    case "worker":
        using (var stop = new CancellationTokenSource())
        using (var ledger = new Ledger(Value("ledger")))
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        }))
        {
            await framework.RunWorkerAsync(Value("redis"), Value("prefix"), settings.Stack, ledger, stop.Token);
        }

        return 0;
    default:
        Console.Error.WriteLine("Usage: run --framework NAME [--scenario NAME [--durable on|off] [--allow-evicting-policy]] [--full] [--messages N] [--rate N] [--report file] | worker ...");
        return 2;
}
