using System.Globalization;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// Redis with <c>maxmemory-policy allkeys-lru</c>. Without <c>AllowEvictingPolicy</c> the stacks must refuse to
/// run (<see cref="RefusalCheck"/>). With it, mid-run the workers stop for three seconds (a backlog builds) and
/// <c>maxmemory</c> is lowered below what Redis uses, so Redis evicts keys, the queue's among them, and the
/// report counts what that loses.
/// </summary>
internal sealed class EvictingPolicyScenario : IChaosScenario
{
    readonly ChaosRedis _redis = new(persistent: false, "--maxmemory-policy", "allkeys-lru");

    public string Name => "evicting-policy";

    public bool HasReplicas => false;

    public bool ClaimsGuarantee(ChaosSettings settings) => false;

    public string Guarantee(ChaosSettings settings) => settings.AllowEvictingPolicy
        ? "not claimed: AllowEvictingPolicy accepts that Redis deletes queue keys under memory pressure, with no error to anyone"
        : "the stacks refuse to run on an evicting policy, naming the fix";

    public async Task<string> StartAsync()
    {
        await _redis.StartAsync();
        return _redis.Connection;
    }

    public async Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        // A backlog first (the workers down for three seconds), then a maxmemory below what Redis uses: Redis
        // evicts keys until it fits, and the queue's stream is the biggest key there is.
        foreach (var worker in context.Workers)
        {
            worker.KillHard();
        }

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        using var admin = await _redis.AdminAsync();
        var server = admin.GetServers()[0];
        var used = UsedMemory(await server.InfoRawAsync("memory") ?? string.Empty);
        var limit = used - 100 * 1024;
        await server.ConfigSetAsync("maxmemory", limit.ToString(CultureInfo.InvariantCulture));
        context.MarkFaultStarted($"backlog built with the workers down, then maxmemory lowered to {limit / 1024:N0} KB (used: {used / 1024:N0} KB) under allkeys-lru");
        foreach (var worker in context.Workers)
        {
            worker.Start();
        }

        await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken);
        var evicted = (await server.InfoRawAsync("stats") ?? string.Empty).Split('\n').FirstOrDefault(l => l.StartsWith("evicted_keys:", StringComparison.Ordinal))?.Trim();
        await server.ConfigSetAsync("maxmemory", "0");
        context.MarkFaultEnded($"maxmemory lifted; {evicted}");
    }

    static long UsedMemory(string info) =>
        long.Parse(info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);

    public Task<IReadOnlyList<string>> VerifyAsync(ScenarioContext context, ScenarioTally tally) => Task.FromResult<IReadOnlyList<string>>([]);

    public ValueTask DisposeAsync()
    {
        _redis.Dispose();
        return ValueTask.CompletedTask;
    }
}
