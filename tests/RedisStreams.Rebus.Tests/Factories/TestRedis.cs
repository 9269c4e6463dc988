using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Tests.Factories;

/// <summary>The test process's Redis, and engine clients on it with a fresh key prefix each.</summary>
public static class TestRedis
{
    /// <summary>The shared test server (started once per test process).</summary>
    public static RedisEndpoint Endpoint => RedisTestEnvironment.GetStandaloneAsync().GetAwaiter().GetResult();

    /// <summary>Engine settings for tests: a unique key prefix and short timings where reclaiming matters.</summary>
    public static RedisStreamsOptions Options(string prefix) => new()
    {
        KeyPrefix = prefix,
        ClaimIdleTime = TimeSpan.FromSeconds(2),
        IdlePollInterval = TimeSpan.FromMilliseconds(500),
        DelayedPollInterval = TimeSpan.FromMilliseconds(500),
        ConsumerExpiry = TimeSpan.FromSeconds(30),
    };

    /// <summary>Connects an engine client that owns its connection.</summary>
    public static RedisStreamsClient Connect(string prefix) =>
        RedisStreamsClient.ConnectAsync(Endpoint.ConnectionString, Options(prefix)).GetAwaiter().GetResult();
}
