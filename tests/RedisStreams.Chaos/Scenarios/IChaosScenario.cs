namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// One way Redis itself fails, staged with real processes: the servers it runs, the fault it injects while
/// messages flow, and whether the transport claims to lose no acknowledged message through it.
/// </summary>
internal interface IChaosScenario : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Whether the data nodes have replicas, so durable writes (<c>RequiredReplicas</c> 1) can succeed.</summary>
    bool HasReplicas { get; }

    /// <summary>Whether 0 acknowledged messages lost is claimed for this run; when not, <see cref="Guarantee"/> says why.</summary>
    bool ClaimsGuarantee(ChaosSettings settings);

    /// <summary>What is claimed, or why nothing is, in one sentence for the report.</summary>
    string Guarantee(ChaosSettings settings);

    /// <summary>Starts the servers; returns the StackExchange.Redis configuration string clients use.</summary>
    Task<string> StartAsync();

    /// <summary>Injects the fault (marking when it starts and ends on <paramref name="context"/>) and waits for the servers to settle.</summary>
    Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken);

    /// <summary>Checks what this scenario promises beyond "no acknowledged message lost"; returns problems.</summary>
    Task<IReadOnlyList<string>> VerifyAsync(ScenarioContext context, ScenarioTally tally);
}
