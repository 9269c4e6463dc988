namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// Tests that run alone, after the parallel ones: those that kill every client connection of the shared test
/// server (they would break a neighbour's connection mid-test) and the one timing check (a saturated 2-core
/// machine would make it measure the machine instead of the transport).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "Runs alone";
}
