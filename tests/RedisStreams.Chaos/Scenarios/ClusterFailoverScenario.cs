using RedisStreams.Testing;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// A Cluster of three primaries with a replica each (<c>cluster-node-timeout</c> 2 s): <c>kill -9</c> of the
/// primary that holds the queue mid-run; its replica is promoted. The killed node is then started again from
/// its own directory (its nodes.conf), so it rejoins as the new primary's replica, as a supervisor would.
/// </summary>
internal sealed class ClusterFailoverScenario : IChaosScenario
{
    RedisClusterSetup? _cluster;

    public string Name => "cluster-failover";

    public bool HasReplicas => true;

    public bool ClaimsGuarantee(ChaosSettings settings) => settings.Durable;

    public string Guarantee(ChaosSettings settings) => settings.Durable
        ? "claimed: every acknowledged send was confirmed by WAIT on the slot owner's replica, which is the node promoted"
        : "not claimed: replication is asynchronous, so writes the killed primary acknowledged but had not yet replicated are gone";

    public async Task<string> StartAsync()
    {
        _cluster = await RedisClusterSetup.StartAsync(replicasPerPrimary: 1, nodeTimeout: TimeSpan.FromSeconds(2));
        return _cluster.ConnectionString;
    }

    public async Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var cluster = _cluster!;
        var owner = await cluster.OwnerPortAsync(context.StreamKey);
        await cluster.KillAsync(owner);
        context.MarkFaultStarted($"kill -9 of the primary on port {owner}, which holds the queue's slot");
        var promoted = await cluster.WaitForPromotionAsync(owner, context.StreamKey, TimeSpan.FromSeconds(60));
        context.Log($"the replica on port {promoted} was promoted");
        await cluster.RestartAsync(owner);
        await cluster.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        context.MarkFaultEnded($"the killed node on port {owner} rejoined as a replica");
    }

    public Task<IReadOnlyList<string>> VerifyAsync(ScenarioContext context, ScenarioTally tally) => Task.FromResult<IReadOnlyList<string>>([]);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
