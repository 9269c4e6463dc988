using System.Globalization;
using StackExchange.Redis;

namespace RedisStreams.Testing;

/// <summary>
/// A primary, its replicas and three <c>redis-sentinel</c> processes on free loopback ports, as production runs
/// Redis with Sentinel. Nodes can be killed the hard way and restarted empty (no persistence, as systemd would
/// restart them), and the tests wait for Sentinel's failover. Everything is killed on dispose.
/// </summary>
public sealed class RedisSentinelSetup : IAsyncDisposable
{
    readonly Dictionary<int, RedisServerProcess> _nodes = [];
    readonly List<RedisServerProcess> _sentinels = [];
    readonly string[] _serverArguments;

    RedisSentinelSetup(string serviceName, string[] serverArguments)
    {
        ServiceName = serviceName;
        _serverArguments = serverArguments;
    }

    /// <summary>The name the sentinels monitor the primary under (<c>serviceName=</c> in the connection string).</summary>
    public string ServiceName { get; }

    /// <summary>The data nodes' ports, the first primary first.</summary>
    public IReadOnlyList<int> NodePorts => [.. _nodes.Keys];

    /// <summary>The sentinels' ports.</summary>
    public IReadOnlyList<int> SentinelPorts => [.. _sentinels.Select(s => s.Port)];

    /// <summary>A StackExchange.Redis configuration string that finds the primary through the sentinels.</summary>
    public string ConnectionString =>
        string.Join(',', _sentinels.Select(s => $"127.0.0.1:{Port(s.Port)}")) + $",serviceName={ServiceName}";

    /// <summary>
    /// Starts a primary with <paramref name="replicas"/> replicas and three sentinels that declare a primary down
    /// after <paramref name="downAfter"/> (1 s by default) and fail over with a quorum of two.
    /// </summary>
    /// <param name="replicas">How many replicas the primary gets.</param>
    /// <param name="downAfter">Sentinel's <c>down-after-milliseconds</c>.</param>
    /// <param name="serverArguments">More redis-server arguments for every data node, also on restarts.</param>
    public static async Task<RedisSentinelSetup> StartAsync(int replicas = 1, TimeSpan? downAfter = null, params string[] serverArguments)
    {
        var setup = new RedisSentinelSetup("rs-" + Guid.NewGuid().ToString("N")[..8], serverArguments);
        try
        {
            var primary = await RedisServerProcess.StartAsync(FreePorts.Next(), serverArguments).ConfigureAwait(false);
            setup._nodes[primary.Port] = primary;
            for (var i = 0; i < replicas; i++)
            {
                var replica = await RedisReplication.StartReplicaAsync(primary.Port, serverArguments).ConfigureAwait(false);
                setup._nodes[replica.Port] = replica;
            }

            var down = ((long)(downAfter ?? TimeSpan.FromSeconds(1)).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < 3; i++)
            {
                setup._sentinels.Add(await RedisServerProcess.StartSentinelAsync(FreePorts.Next(), [
                    $"sentinel monitor {setup.ServiceName} 127.0.0.1 {Port(primary.Port)} 2",
                    $"sentinel down-after-milliseconds {setup.ServiceName} {down}",
                    $"sentinel failover-timeout {setup.ServiceName} 10000",
                    $"sentinel parallel-syncs {setup.ServiceName} 1",
                ]).ConfigureAwait(false));
            }

            await setup.WaitForSentinelsAsync(primary.Port, replicas, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return setup;
        }
        catch
        {
            await setup.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The primary's port as the sentinels report it, or <c>null</c> when none answers.</summary>
    public async Task<int?> PrimaryPortAsync()
    {
        foreach (var sentinel in _sentinels.Where(s => s.IsRunning))
        {
            if (await PrimaryPortAsync(sentinel.Port).ConfigureAwait(false) is { } port)
            {
                return port;
            }
        }

        return null;
    }

    async Task<int?> PrimaryPortAsync(int sentinelPort)
    {
        try
        {
            using var connection = await ConnectAsync(sentinelPort).ConfigureAwait(false);
            var address = (RedisResult[]?)await connection.GetServers()[0].ExecuteAsync("SENTINEL", "get-master-addr-by-name", ServiceName).ConfigureAwait(false);
            return address is { Length: 2 } ? int.Parse((string)address[1]!, CultureInfo.InvariantCulture) : null;
        }
        catch (RedisException)
        {
            return null;
        }
    }

    /// <summary>Kills the node on <paramref name="port"/> with SIGKILL, as a crash would.</summary>
    public Task KillAsync(int port) => _nodes[port].KillAsync();

    /// <summary>
    /// Starts a node again on <paramref name="port"/> with no data and no <c>replicaof</c>: it answers as a primary
    /// until Sentinel turns it into a replica of the current primary.
    /// </summary>
    public async Task RestartEmptyAsync(int port)
    {
        _nodes[port].Dispose();
        _nodes[port] = await RedisServerProcess.StartAsync(port, _serverArguments).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every sentinel names the same primary other than <paramref name="oldPrimaryPort"/> and it answers
    /// as one: the failover is complete. (A node restarted while a sentinel still holds the old view can be taken
    /// for the primary by that sentinel, which would then demote the new one.)
    /// </summary>
    /// <returns>The new primary's port.</returns>
    public async Task<int> WaitForFailoverAsync(int oldPrimaryPort, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var views = new List<int?>();
            foreach (var sentinel in _sentinels)
            {
                views.Add(await PrimaryPortAsync(sentinel.Port).ConfigureAwait(false));
            }

            if (views.Distinct().Count() == 1 && views[0] is { } port && port != oldPrimaryPort)
            {
                await RedisReplication.WaitForPrimaryAsync(port, deadline - DateTime.UtcNow).ConfigureAwait(false);
                return port;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"Sentinel did not fail over from port {oldPrimaryPort} within {within}.");
    }

    /// <summary>Waits until the node on <paramref name="port"/> is an in-sync replica of the current primary.</summary>
    public async Task WaitForReplicaAsync(int port, TimeSpan within)
    {
        var primary = await PrimaryPortAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("No sentinel names a primary.");
        await RedisReplication.WaitForReplicaAsync(port, primary, within).ConfigureAwait(false);
    }

    async Task WaitForSentinelsAsync(int primaryPort, int replicas, TimeSpan within)
    {
        // Each sentinel must know the primary, its replicas and the other sentinels before a failover can succeed.
        var deadline = DateTime.UtcNow + within;
        foreach (var sentinel in _sentinels)
        {
            while (true)
            {
                using var connection = await ConnectAsync(sentinel.Port).ConfigureAwait(false);
                var fields = await MasterFieldsAsync(connection).ConfigureAwait(false);
                if (fields.GetValueOrDefault("port") == Port(primaryPort) &&
                    fields.GetValueOrDefault("num-slaves") == Port(replicas) &&
                    fields.GetValueOrDefault("num-other-sentinels") == "2")
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Sentinel on port {sentinel.Port} did not see the primary, {replicas} replica(s) and 2 other sentinels within {within}: {string.Join(", ", fields)}");
                }

                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    async Task<Dictionary<string, string>> MasterFieldsAsync(IConnectionMultiplexer connection)
    {
        try
        {
            var reply = (RedisResult[]?)await connection.GetServers()[0].ExecuteAsync("SENTINEL", "master", ServiceName).ConfigureAwait(false) ?? [];
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < reply.Length; i += 2)
            {
                fields[(string)reply[i]!] = (string)reply[i + 1]!;
            }

            return fields;
        }
        catch (RedisException)
        {
            return [];
        }
    }

    static async Task<IConnectionMultiplexer> ConnectAsync(int port)
    {
        var options = ConfigurationOptions.Parse($"127.0.0.1:{Port(port)}");
        options.CommandMap = CommandMap.Sentinel;
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 1000;
        options.AsyncTimeout = 2000;
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Kills every sentinel and node.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var process in _sentinels.Concat(_nodes.Values))
        {
            process.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
