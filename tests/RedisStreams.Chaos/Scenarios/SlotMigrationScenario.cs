using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// A Cluster of three primaries; mid-run the slot of the queue (with its backlog) moves to another primary the
/// way <c>redis-cli --cluster reshard</c> moves it: <c>CLUSTER SETSLOT IMPORTING</c> on the target, <c>MIGRATING</c>
/// on the source, <c>MIGRATE ... KEYS</c> key by key, then <c>SETSLOT NODE</c> everywhere. Clients meet
/// <c>ASK</c>, <c>TRYAGAIN</c> and <c>MOVED</c> on the way. The workers are killed three seconds before and
/// restarted as it begins, so the stream carries a backlog and entries left pending by the killed workers.
/// </summary>
internal sealed class SlotMigrationScenario : IChaosScenario
{
    RedisClusterSetup? _cluster;

    public string Name => "slot-migration";

    public bool HasReplicas => false;

    public bool ClaimsGuarantee(ChaosSettings settings) => true;

    public string Guarantee(ChaosSettings settings) =>
        "claimed: a slot migration moves keys atomically and loses nothing on the server; every acknowledged send must be consumed";

    public async Task<string> StartAsync()
    {
        _cluster = await RedisClusterSetup.StartAsync();
        return _cluster.ConnectionString;
    }

    public async Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var cluster = _cluster!;
        var key = (RedisKey)context.StreamKey;
        var source = await cluster.OwnerPortAsync(key);
        var target = (await cluster.PrimaryPortsAsync()).First(p => p != source);
        var slot = await RedisClusterSetup.SlotAsync(source, key);
        var sourceId = await cluster.NodeIdAsync(source);
        var targetId = await cluster.NodeIdAsync(target);
        using var from = await RedisClusterSetup.ConnectAsync(source);
        using var to = await RedisClusterSetup.ConnectAsync(target);

        // A backlog to move: the workers are killed for a few seconds (what they held stays pending), and start
        // again as the migration begins, so they reclaim and read across it.
        foreach (var worker in context.Workers)
        {
            worker.KillHard();
        }

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        foreach (var worker in context.Workers)
        {
            worker.Start();
        }

        var backlog = await from.GetDatabase().StreamLengthAsync(key);
        context.MarkFaultStarted($"slot {slot} of the queue ({backlog} entries in its stream) moves from port {source} to port {target}");
        await to.GetServers()[0].ExecuteAsync("CLUSTER", "SETSLOT", slot, "IMPORTING", sourceId);
        await from.GetServers()[0].ExecuteAsync("CLUSTER", "SETSLOT", slot, "MIGRATING", targetId);
        var moved = 0;
        while (true)
        {
            var keys = (RedisResult[])(await from.GetServers()[0].ExecuteAsync("CLUSTER", "GETKEYSINSLOT", slot, 1))!;
            if (keys.Length == 0)
            {
                break;
            }

            // One key at a time with a pause: clients spend a while in the mixed state (some keys here, some there).
            await from.GetServers()[0].ExecuteAsync("MIGRATE", "127.0.0.1", target, "", 0, 10000, "KEYS", (RedisKey)keys[0]);
            moved++;
            await Task.Delay(300, cancellationToken);
        }

        foreach (var port in cluster.NodePorts)
        {
            using var node = await RedisClusterSetup.ConnectAsync(port);
            await node.GetServers()[0].ExecuteAsync("CLUSTER", "SETSLOT", slot, "NODE", targetId);
        }

        context.MarkFaultEnded($"{moved} key(s) migrated; slot {slot} belongs to port {target}");
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
