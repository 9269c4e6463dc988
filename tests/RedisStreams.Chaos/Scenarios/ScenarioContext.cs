using System.Diagnostics;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>What a scenario's fault injection can see and do: the run's workers, keys, clock and log.</summary>
internal sealed class ScenarioContext(ChaosSettings settings, IChaosFramework framework, string connection, string prefix, IReadOnlyList<WorkerProcess> workers, ScenarioTally tally, Stopwatch clock, Action<string> log)
{
    public ChaosSettings Settings => settings;

    public IChaosFramework Framework => framework;

    public string Connection => connection;

    public string Prefix => prefix;

    /// <summary>The work queue's stream.</summary>
    public string StreamKey => framework.StreamKey(prefix);

    public IReadOnlyList<WorkerProcess> Workers => workers;

    public ScenarioTally Tally => tally;

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>When the fault was injected; <c>null</c> before.</summary>
    public TimeSpan? FaultStarted { get; private set; }

    /// <summary>When the servers were whole again (failover done, memory freed, ...); <c>null</c> before.</summary>
    public TimeSpan? FaultEnded { get; private set; }

    public void Log(string line) => log(line);

    public void MarkFaultStarted(string what)
    {
        FaultStarted = clock.Elapsed;
        log($"fault: {what}");
    }

    public void MarkFaultEnded(string what)
    {
        FaultEnded = clock.Elapsed;
        log($"recovered: {what} ({(FaultEnded - FaultStarted)?.TotalSeconds:F1} s after the fault)");
    }

    /// <summary>Waits until every one of <paramref name="ids"/> was consumed, or <paramref name="within"/> passed; tells which.</summary>
    public async Task<bool> WaitForConsumedAsync(IReadOnlyCollection<string> ids, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = clock.Elapsed + within;
        while (clock.Elapsed < deadline && !cancellationToken.IsCancellationRequested)
        {
            if (ids.All(tally.FirstConsumed.ContainsKey))
            {
                return true;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return false;
    }
}
