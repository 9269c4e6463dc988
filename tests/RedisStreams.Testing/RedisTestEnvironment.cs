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
        // Kept alive for the whole test process, as the standalone server is.
        var cluster = await RedisClusterSetup.StartAsync(environment: environment).ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new RedisEndpoint(cluster.ConnectionString, isCluster: true, description);
    }
}
