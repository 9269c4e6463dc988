using RedisStreams.Testing;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// Redis with <c>noeviction</c> put out of memory mid-run, just after every worker was killed (so a backlog is
/// waiting and the workers must start under OOM): sends must fail at once with
/// <c>RedisStreamsOutOfMemoryException</c>, the restarted workers must start and drain the backlog while Redis is
/// still out of memory, and once memory is freed sends succeed again.
/// </summary>
internal sealed class OutOfMemoryScenario : IChaosScenario
{
    readonly ChaosRedis _redis = new(persistent: false);
    TimeSpan? _drainedUnderOom;

    public string Name => "oom";

    public bool HasReplicas => false;

    public bool ClaimsGuarantee(ChaosSettings settings) => true;

    public string Guarantee(ChaosSettings settings) =>
        "claimed: a send Redis refuses for memory fails at once with RedisStreamsOutOfMemoryException (told, never lost), and receivers start and drain under OOM";

    public async Task<string> StartAsync()
    {
        await _redis.StartAsync();
        return _redis.Connection;
    }

    public async Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        foreach (var worker in context.Workers)
        {
            worker.KillHard();
        }

        context.Log("every worker killed with kill -9 (a backlog builds)");
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await RedisMemoryPressure.MakeOutOfMemoryAsync(_redis.Port);

        // 3 MB more below its use: draining the backlog frees memory, and Redis must stay out of memory meanwhile.
        using (var pressure = await _redis.AdminAsync())
        {
            var server = pressure.GetServers()[0];
            var info = await server.InfoRawAsync("memory") ?? string.Empty;
            var used = long.Parse(info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            await server.ConfigSetAsync("maxmemory", (used - 3_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        context.MarkFaultStarted("Redis out of memory (maxmemory lowered 3 MB below its use, noeviction)");
        var backlog = context.Tally.Sends.Where(s => s.Value.Acknowledged).Select(s => s.Key).ToList();
        foreach (var worker in context.Workers)
        {
            worker.Start();
        }

        context.Log("workers restarted while Redis is out of memory");
        var drained = await context.WaitForConsumedAsync(backlog, TimeSpan.FromSeconds(45), cancellationToken);
        // Out of memory for a few seconds at least, so sends keep meeting it.
        await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken);
        if (drained)
        {
            _drainedUnderOom = context.Elapsed;
            context.Log($"all {backlog.Count:N0} messages acknowledged before the OOM were consumed while Redis was still out of memory");
        }

        using var admin = await _redis.AdminAsync();
        await admin.GetServers()[0].ConfigSetAsync("maxmemory", "0");
        var db = admin.GetDatabase();
        for (var i = 0; i < 200; i++)
        {
            await db.KeyDeleteAsync($"filler:{i}");
        }

        context.MarkFaultEnded("memory freed (maxmemory 0, filler deleted)");
    }

    public Task<IReadOnlyList<string>> VerifyAsync(ScenarioContext context, ScenarioTally tally)
    {
        var problems = new List<string>();
        var during = tally.Sends.Values.Where(s => s.Started >= context.FaultStarted && s.Started < context.FaultEnded).ToList();
        var told = during.Count(s => s.Failure == "RedisStreamsOutOfMemoryException");
        context.Log($"while out of memory: {during.Count} sends, {told} failed with RedisStreamsOutOfMemoryException, {during.Count(s => s.Acknowledged)} acknowledged");
        if (told == 0)
        {
            problems.Add("no send failed with RedisStreamsOutOfMemoryException while Redis was out of memory");
        }

        if (_drainedUnderOom is null)
        {
            problems.Add("the backlog was not drained while Redis was out of memory (workers restarted under OOM did not start or did not consume)");
        }

        if (!tally.Sends.Values.Any(s => s.Started > context.FaultEnded && s.Acknowledged))
        {
            problems.Add("no send succeeded after memory was freed");
        }

        return Task.FromResult<IReadOnlyList<string>>(problems);
    }

    public ValueTask DisposeAsync()
    {
        _redis.Dispose();
        return ValueTask.CompletedTask;
    }
}
