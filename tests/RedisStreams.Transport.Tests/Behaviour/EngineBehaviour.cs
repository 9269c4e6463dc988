namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>
/// What the engine promises, tested against a real Redis. Each derived class runs every test on one kind
/// of deployment (standalone server, cluster).
/// </summary>
public abstract partial class EngineBehaviour : EngineTestBase
{
}
