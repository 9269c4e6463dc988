using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace RedisStreams.Testing;

/// <summary>
/// A Redis Cluster of three primaries on free loopback ports, formed with <c>redis-cli --cluster create</c>,
/// optionally with replicas for each primary (for failover tests). Nodes can be killed the hard way; the tests
/// wait for a replica's promotion and move slots between primaries. Everything is killed on dispose.
/// </summary>
public sealed class RedisClusterSetup : IAsyncDisposable
{
    readonly Dictionary<int, RedisServerProcess> _nodes = [];
    readonly List<RedisServerProcess> _replaced = [];
    readonly string[] _arguments;

    RedisClusterSetup(string[] arguments) => _arguments = arguments;

    /// <summary>Every node's port, the primaries first as the cluster was formed.</summary>
    public IReadOnlyList<int> NodePorts => [.. _nodes.Keys];

    /// <summary>A StackExchange.Redis configuration string naming every node as a seed.</summary>
    public string ConnectionString => string.Join(',', _nodes.Keys.Select(p => $"127.0.0.1:{Port(p)}"));

    /// <summary>
    /// Starts three primaries with <paramref name="replicasPerPrimary"/> replicas each and waits until every node
    /// reports <c>cluster_state:ok</c> and (with replicas) every replica's link is up.
    /// </summary>
    /// <param name="replicasPerPrimary">0 for a cluster of primaries only.</param>
    /// <param name="nodeTimeout">The cluster's <c>cluster-node-timeout</c>: how long a primary may be silent before its replica takes over.</param>
    /// <param name="environment">Environment variables for every node (a shifted clock, say); none by default.</param>
    public static async Task<RedisClusterSetup> StartAsync(int replicasPerPrimary = 0, TimeSpan? nodeTimeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var timeout = ((long)(nodeTimeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var setup = new RedisClusterSetup(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", timeout]);
        try
        {
            for (var i = 0; i < 3 * (1 + replicasPerPrimary); i++)
            {
                var node = await RedisServerProcess.StartWithEnvironmentAsync(FreePorts.NextForCluster(), environment ?? new Dictionary<string, string>(), setup._arguments).ConfigureAwait(false);
                setup._nodes[node.Port] = node;
            }

            var cli = Tools.Find("redis-cli")
                ?? throw new InvalidOperationException("redis-cli is not installed; it is needed to form the test cluster (apt-get install -y redis-tools).");
            var create = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
            create.ArgumentList.Add("--cluster");
            create.ArgumentList.Add("create");
            foreach (var port in setup._nodes.Keys)
            {
                create.ArgumentList.Add($"127.0.0.1:{Port(port)}");
            }

            create.ArgumentList.Add("--cluster-replicas");
            create.ArgumentList.Add(Port(replicasPerPrimary));
            create.ArgumentList.Add("--cluster-yes");
            using (var process = Process.Start(create)!)
            {
                var error = process.StandardError.ReadToEndAsync();
                var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
                await process.WaitForExitAsync().ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {output} {await error.ConfigureAwait(false)}");
                }
            }

            await setup.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            return setup;
        }
        catch
        {
            await setup.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the node on <paramref name="port"/> with SIGKILL, as a crash would.</summary>
    public Task KillAsync(int port) => _nodes[port].KillAsync();

    /// <summary>
    /// Starts a killed node again in its own directory: its <c>nodes.conf</c> makes it rejoin the cluster (as a
    /// replica, when its slots were taken over meanwhile). It has no persistence, so it comes back without data.
    /// </summary>
    public async Task RestartAsync(int port)
    {
        var old = _nodes[port];
        await old.KillAsync().ConfigureAwait(false);
        _replaced.Add(old);
        _nodes[port] = await RedisServerProcess.StartInAsync(port, old.Directory, _arguments).ConfigureAwait(false);
    }

    /// <summary>The port of the primary that serves <paramref name="key"/>'s slot, as a live node sees it.</summary>
    public async Task<int> OwnerPortAsync(RedisKey key)
    {
        foreach (var node in _nodes.Values.Where(n => n.IsRunning))
        {
            var view = await NodesAsync(node.Port).ConfigureAwait(false);
            if (view is null)
            {
                continue;
            }

            var slot = await SlotAsync(node.Port, key).ConfigureAwait(false);
            var owner = view.FirstOrDefault(n => n.IsPrimary && !n.Failed && n.Slots.Any(r => r.Start <= slot && slot <= r.End));
            if (owner is not null)
            {
                return owner.Port;
            }
        }

        throw new InvalidOperationException($"No live node names an owner for the slot of {key}.");
    }

    /// <summary>The node id of the node on <paramref name="port"/> (<c>CLUSTER MYID</c>).</summary>
    public async Task<string> NodeIdAsync(int port)
    {
        using var connection = await ConnectAsync(port).ConfigureAwait(false);
        return (string)(await connection.GetServers()[0].ExecuteAsync("CLUSTER", "MYID").ConfigureAwait(false))!;
    }

    /// <summary>The hash slot of <paramref name="key"/>.</summary>
    public static async Task<int> SlotAsync(int port, RedisKey key)
    {
        using var connection = await ConnectAsync(port).ConfigureAwait(false);
        return (int)await connection.GetServers()[0].ExecuteAsync("CLUSTER", "KEYSLOT", key).ConfigureAwait(false);
    }

    /// <summary>The primaries' ports as a live node sees them.</summary>
    public async Task<IReadOnlyList<int>> PrimaryPortsAsync()
    {
        foreach (var node in _nodes.Values.Where(n => n.IsRunning))
        {
            if (await NodesAsync(node.Port).ConfigureAwait(false) is { } view)
            {
                return [.. view.Where(n => n.IsPrimary && !n.Failed && n.Slots.Count > 0).Select(n => n.Port)];
            }
        }

        return [];
    }

    /// <summary>
    /// Waits until a live node other than <paramref name="failedPort"/> owns <paramref name="key"/>'s slot and every
    /// live node reports <c>cluster_state:ok</c>: a replica was promoted.
    /// </summary>
    /// <returns>The new owner's port.</returns>
    public async Task<int> WaitForPromotionAsync(int failedPort, RedisKey key, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var owner = await OwnerPortAsync(key).ConfigureAwait(false);
                if (owner != failedPort && await AllLiveNodesOkAsync().ConfigureAwait(false))
                {
                    return owner;
                }
            }
            catch (InvalidOperationException)
            {
                // No owner known yet.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"No replica took over from the primary on port {failedPort} within {within}.");
    }

    /// <summary>Opens an admin connection to one node (not cluster-aware: commands go to that node only).</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(int port) =>
        ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port(port)},allowAdmin=true,abortConnect=false,connectTimeout=2000,asyncTimeout=10000");

    /// <summary>Waits until every live node reports <c>cluster_state:ok</c> and every replica's link is up.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await AllLiveNodesOkAsync().ConfigureAwait(false) || !await ReplicasLinkedAsync().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The test cluster did not reach cluster_state:ok with its replicas in sync within {within}.");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    async Task<bool> AllLiveNodesOkAsync()
    {
        foreach (var node in _nodes.Values.Where(n => n.IsRunning))
        {
            try
            {
                using var connection = await ConnectAsync(node.Port).ConfigureAwait(false);
                var info = (string?)await connection.GetServers()[0].ExecuteAsync("CLUSTER", "INFO").ConfigureAwait(false) ?? string.Empty;
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    return false;
                }
            }
            catch (RedisException)
            {
                return false;
            }
        }

        return true;
    }

    async Task<bool> ReplicasLinkedAsync()
    {
        foreach (var node in _nodes.Values.Where(n => n.IsRunning))
        {
            var info = await RedisReplication.InfoAsync(node.Port).ConfigureAwait(false);
            if (info is null || (info.GetValueOrDefault("role") == "slave" && info.GetValueOrDefault("master_link_status") != "up"))
            {
                return false;
            }
        }

        return true;
    }

    static async Task<IReadOnlyList<ClusterNodeView>?> NodesAsync(int port)
    {
        try
        {
            using var connection = await ConnectAsync(port).ConfigureAwait(false);
            var text = (string?)await connection.GetServers()[0].ExecuteAsync("CLUSTER", "NODES").ConfigureAwait(false) ?? string.Empty;
            return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ClusterNodeView.Parse)];
        }
        catch (RedisException)
        {
            return null;
        }
    }

    static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Kills every node.</summary>
    public ValueTask DisposeAsync()
    {
        // Replaced processes last: they own the directories their successors ran in.
        foreach (var node in _nodes.Values.Concat(_replaced))
        {
            node.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>One line of <c>CLUSTER NODES</c>: id, port, role, whether it failed, and the slot ranges it serves.</summary>
    sealed record ClusterNodeView(string Id, int Port, bool IsPrimary, bool Failed, IReadOnlyList<(int Start, int End)> Slots)
    {
        public static ClusterNodeView Parse(string line)
        {
            // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot> <slot> ...
            var parts = line.Trim().Split(' ');
            var address = parts[1].Split('@')[0];
            var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var flags = parts[2].Split(',');
            var slots = new List<(int, int)>();
            foreach (var range in parts.Skip(8).Where(p => !p.StartsWith('[')))
            {
                var bounds = range.Split('-');
                var start = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                slots.Add((start, bounds.Length > 1 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : start));
            }

            return new ClusterNodeView(parts[0], port, flags.Contains("master"), flags.Contains("fail") || flags.Contains("fail?"), slots);
        }
    }
}
