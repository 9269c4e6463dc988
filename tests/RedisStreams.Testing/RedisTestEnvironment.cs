using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using Testcontainers.Redis;

namespace RedisStreams.Testing;

/// <summary>
/// The Redis the tests run against, one per test process, shared by all tests (each test uses its own key
/// prefix). In order of preference: the server named by <c>REDIS_STREAMS_TEST_REDIS</c>; a
/// <c>redis-server</c> started on a free loopback port; a Testcontainers container when a Docker daemon
/// answers. When none works the tests fail loudly: they never skip.
/// </summary>
public static class RedisTestEnvironment
{
    /// <summary>Environment variable naming a standalone Redis (StackExchange.Redis configuration string) to test against.</summary>
    public const string StandaloneVariable = "REDIS_STREAMS_TEST_REDIS";

    /// <summary>Environment variable naming a Redis Cluster (comma-separated seed endpoints) to test against.</summary>
    public const string ClusterVariable = "REDIS_STREAMS_TEST_CLUSTER";

    static readonly Lazy<Task<RedisEndpoint>> Standalone = new(StartStandaloneAsync);
    static readonly Lazy<Task<RedisEndpoint>> Cluster = new(StartClusterAsync);
    static readonly Lazy<Task<RedisEndpoint>> StandaloneOneHourBehind = new(StartStandaloneOneHourBehindAsync);
    static readonly Lazy<Task<RedisEndpoint>> ClusterOneHourBehind = new(() => StartLocalClusterAsync(ShiftedClock.Environment(ServerClockOffset), "local 3-primary redis-server cluster, clocks one hour behind"));

    /// <summary>How far the clocks of the servers from <see cref="GetStandaloneOneHourBehindAsync"/> and <see cref="GetClusterOneHourBehindAsync"/> are off.</summary>
    public static readonly TimeSpan ServerClockOffset = TimeSpan.FromHours(-1);

    /// <summary>A standalone Redis server.</summary>
    public static Task<RedisEndpoint> GetStandaloneAsync() => Standalone.Value;

    /// <summary>A Redis Cluster of three primaries.</summary>
    public static Task<RedisEndpoint> GetClusterAsync() => Cluster.Value;

    /// <summary>
    /// A local redis-server whose wall clock runs <see cref="ServerClockOffset"/> (one hour behind this machine's),
    /// for tests that must tell the server's clock from the client's. Always a local process: a shared server's
    /// clock cannot be shifted.
    /// </summary>
    public static Task<RedisEndpoint> GetStandaloneOneHourBehindAsync() => StandaloneOneHourBehind.Value;

    /// <summary>A local three-primary Redis Cluster whose nodes' wall clocks run <see cref="ServerClockOffset"/>.</summary>
    public static Task<RedisEndpoint> GetClusterOneHourBehindAsync() => ClusterOneHourBehind.Value;

    static async Task<RedisEndpoint> StartStandaloneOneHourBehindAsync()
    {
        var server = await RedisServerProcess.StartWithEnvironmentAsync(FreePorts.Next(), ShiftedClock.Environment(ServerClockOffset)).ConfigureAwait(false);
        return new RedisEndpoint($"127.0.0.1:{server.Port}", isCluster: false, "local redis-server, clock one hour behind");
    }

    static async Task<RedisEndpoint> StartStandaloneAsync()
    {
        var configured = Environment.GetEnvironmentVariable(StandaloneVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new RedisEndpoint(configured, isCluster: false, $"from {StandaloneVariable}");
        }

        if (Tools.Find("redis-server") is not null)
        {
            var server = await RedisServerProcess.StartAsync(FreePorts.Next()).ConfigureAwait(false);
            return new RedisEndpoint($"127.0.0.1:{server.Port}", isCluster: false, "local redis-server");
        }

        if (Tools.DockerAnswers())
        {
            var container = new RedisBuilder("redis:7.0").Build();
            await container.StartAsync().ConfigureAwait(false);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return new RedisEndpoint(container.GetConnectionString(), isCluster: false, "Testcontainers");
        }

        throw new InvalidOperationException(
            $"No Redis to test against: redis-server is not installed, no Docker daemon answers, and {StandaloneVariable} is not set. " +
            "Install redis-server (apt-get install -y redis-server) or point the variable at a Redis.");
    }

    static async Task<RedisEndpoint> StartClusterAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ClusterVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new RedisEndpoint(configured, isCluster: true, $"from {ClusterVariable}");
        }

        return await StartLocalClusterAsync(environment: null, "local 3-primary redis-server cluster").ConfigureAwait(false);
    }

    static async Task<RedisEndpoint> StartLocalClusterAsync(IReadOnlyDictionary<string, string>? environment, string description)
    {
        var nodes = new List<RedisServerProcess>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await RedisServerProcess.StartWithEnvironmentAsync(
                FreePorts.NextForCluster(),
                environment ?? new Dictionary<string, string>(),
                "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "5000").ConfigureAwait(false));
        }

        var cli = Tools.Find("redis-cli")
            ?? throw new InvalidOperationException("redis-cli is not installed; it is needed to form the test cluster (apt-get install -y redis-tools).");
        var create = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        create.ArgumentList.Add("--cluster");
        create.ArgumentList.Add("create");
        foreach (var node in nodes)
        {
            create.ArgumentList.Add($"127.0.0.1:{node.Port}");
        }

        create.ArgumentList.Add("--cluster-replicas");
        create.ArgumentList.Add("0");
        create.ArgumentList.Add("--cluster-yes");
        using (var process = Process.Start(create)!)
        {
            var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {output}");
            }
        }

        var endpoints = string.Join(',', nodes.Select(n => $"127.0.0.1:{n.Port}"));
        await WaitForClusterAsync(nodes).ConfigureAwait(false);
        return new RedisEndpoint(endpoints, isCluster: true, description);
    }

    static async Task WaitForClusterAsync(IEnumerable<RedisServerProcess> nodes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var node in nodes)
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{node.Port.ToString(CultureInfo.InvariantCulture)},abortConnect=false").ConfigureAwait(false);
            while (true)
            {
                var info = (string?)await connection.GetServers()[0].ExecuteAsync("CLUSTER", "INFO").ConfigureAwait(false) ?? string.Empty;
                if (info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The test cluster did not reach cluster_state:ok within 30 s: {info}");
                }

                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }
}
