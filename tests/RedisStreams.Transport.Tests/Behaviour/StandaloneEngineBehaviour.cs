using RedisStreams.Testing;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>The engine's behaviour against one redis-server.</summary>
public sealed class StandaloneEngineBehaviour : EngineBehaviour
{
    protected override Task<RedisEndpoint> GetRedisAsync() => RedisTestEnvironment.GetStandaloneAsync();

    protected override Task<RedisEndpoint> GetRedisOneHourBehindAsync() => RedisTestEnvironment.GetStandaloneOneHourBehindAsync();
}
