namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// Publish/subscribe traffic (workers subscribe their queue to a topic, the producer publishes) on a Redis
/// without persistence that is killed and restarted empty mid-run: streams, groups and the topic registry are
/// gone. Running endpoints must re-assert their subscriptions, so events reach their queue again within seconds
/// with no process restarted. What the restart erased is lost: no guarantee is claimed.
/// </summary>
internal sealed class DataLossPubSubScenario : IChaosScenario
{
    static readonly TimeSpan HealWithin = TimeSpan.FromSeconds(30);
    readonly ChaosRedis _redis = new(persistent: false);

    public string Name => "data-loss-pubsub";

    public bool HasReplicas => false;

    public bool ClaimsGuarantee(ChaosSettings settings) => false;

    public string Guarantee(ChaosSettings settings) =>
        "not claimed: Redis lost its data (no persistence), so what sat in the queue and what was published before the subscriptions were re-asserted is gone; claimed instead: delivery resumes by itself, with no process restarted";

    public async Task<string> StartAsync()
    {
        await _redis.StartAsync();
        return _redis.Connection;
    }

    public async Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        await _redis.KillAsync();
        context.MarkFaultStarted($"redis-server on port {_redis.Port} killed (kill -9); restarted without persistence, empty");
        await _redis.StartAsync();
        context.MarkFaultEnded("redis-server answers again, empty");
    }

    public Task<IReadOnlyList<string>> VerifyAsync(ScenarioContext context, ScenarioTally tally)
    {
        var fault = context.FaultEnded ?? TimeSpan.MaxValue;
        var healed = tally.Sends.Where(s => s.Value.Started >= fault && tally.FirstConsumed.ContainsKey(s.Key)).Select(s => tally.FirstConsumed[s.Key]).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        IReadOnlyList<string> problems = healed - fault <= HealWithin
            ? []
            : [$"no event published after Redis came back reached the queue within {HealWithin.TotalSeconds:F0} s: subscriptions did not heal"];
        if (problems.Count == 0)
        {
            context.Log($"self-healing: the first event published after the restart was consumed {(healed - fault).TotalSeconds:F1} s after Redis answered again");
        }

        return Task.FromResult(problems);
    }

    public ValueTask DisposeAsync()
    {
        _redis.Dispose();
        return ValueTask.CompletedTask;
    }
}
