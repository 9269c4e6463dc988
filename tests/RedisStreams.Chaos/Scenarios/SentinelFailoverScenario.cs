using RedisStreams.Testing;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// Issue 10's scenario 1: a primary, one replica and three sentinels, clients connected through Sentinel;
/// <c>kill -9</c> of the primary, Sentinel promotes the replica, and the old primary is restarted empty (no
/// persistence) on its port, as systemd would, answering as a primary until Sentinel demotes it.
/// </summary>
internal sealed class SentinelFailoverScenario : IChaosScenario
{
    RedisSentinelSetup? _setup;

    public string Name => "sentinel-failover";

    public bool HasReplicas => true;

    public bool ClaimsGuarantee(ChaosSettings settings) => settings.Durable;

    public string Guarantee(ChaosSettings settings) => settings.Durable
        ? "claimed: every acknowledged send was confirmed by WAIT on a replica, so the promoted replica holds it"
        : "not claimed: replication is asynchronous, and the empty restarted old primary acknowledges writes until Sentinel demotes it and the resync erases them";

    public async Task<string> StartAsync()
    {
        _setup = await RedisSentinelSetup.StartAsync(replicas: 1);
        return _setup.ConnectionString;
    }

    public async Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var setup = _setup!;
        var old = await setup.PrimaryPortAsync() ?? throw new InvalidOperationException("No sentinel names a primary.");
        await setup.KillAsync(old);
        context.MarkFaultStarted($"kill -9 of the primary on port {old}");
        var promoted = await setup.WaitForFailoverAsync(old, TimeSpan.FromSeconds(60));
        context.Log($"Sentinel promoted the replica on port {promoted}");
        await setup.RestartEmptyAsync(old);
        context.Log($"old primary restarted empty on port {old}");
        await setup.WaitForReplicaAsync(old, TimeSpan.FromSeconds(90));
        context.MarkFaultEnded($"the old primary on port {old} is an in-sync replica of port {promoted}");
    }

    public Task<IReadOnlyList<string>> VerifyAsync(ScenarioContext context, ScenarioTally tally) => Task.FromResult<IReadOnlyList<string>>([]);

    public async ValueTask DisposeAsync()
    {
        if (_setup is not null)
        {
            await _setup.DisposeAsync();
        }
    }
}
