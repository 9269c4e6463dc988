namespace RedisStreams.Transport.Tests.Resilience;

/// <summary>
/// Tests that run alone, after the parallel ones: they kill servers, fail over and fill memory, and on a busy
/// 2-core machine their neighbours' load would stretch the failover they wait for; or they listen to the whole
/// process's runtime events, where their neighbours' would count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "Resilience runs alone";
}
