using StackExchange.Redis;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// Foreign entries of any shape written into the work queue mid-run, as a foreign producer or an operator with
/// <c>XADD</c> could: 10,000 fields and no body, a single foreign field, binary garbage for names and values, and
/// an 8 MB value. Each must reach the dead-letter stream with a reason, and nothing else stalls or is lost.
/// </summary>
internal sealed class HostileEntriesScenario : IChaosScenario
{
    static readonly TimeSpan DeadLetterWithin = TimeSpan.FromSeconds(60);
    readonly ChaosRedis _redis = new(persistent: false);
    readonly List<string> _hostileIds = [];
    int _deadLettered = -1;

    public string Name => "hostile";

    public bool HasReplicas => false;

    public bool ClaimsGuarantee(ChaosSettings settings) => true;

    public string Guarantee(ChaosSettings settings) =>
        "claimed: each foreign entry is dead-lettered with a reason, and every acknowledged message is still consumed";

    public async Task<string> StartAsync()
    {
        await _redis.StartAsync();
        return _redis.Connection;
    }

    static IEnumerable<(string Shape, NameValueEntry[] Fields)> Entries()
    {
        var random = new Random(10);
        byte[] Garbage(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }

        yield return ("10,000 fields, no body", [.. Enumerable.Range(0, 10_000).Select(i => new NameValueEntry($"field-{i}", "x"))]);
        yield return ("one foreign field", [new NameValueEntry("foo", "bar")]);
        yield return ("binary garbage names and values", [.. Enumerable.Range(0, 16).Select(_ => new NameValueEntry(Garbage(24), Garbage(200)))]);
        yield return ("an 8 MB value", [new NameValueEntry("payload", Garbage(8 * 1024 * 1024))]);
    }

    public async Task InjectAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        using var admin = await _redis.AdminAsync();
        var db = admin.GetDatabase();
        var shapes = new List<string>();
        foreach (var (shape, fields) in Entries())
        {
            _hostileIds.Add((string)(await db.StreamAddAsync(context.StreamKey, fields))!);
            shapes.Add(shape);
        }

        context.MarkFaultStarted($"{shapes.Count} foreign entries XADDed into the queue: {string.Join("; ", shapes)}");
        var deadLetters = context.StreamKey + ":dead-letter";
        var until = context.Elapsed + DeadLetterWithin;
        while (context.Elapsed < until)
        {
            _deadLettered = (int)await db.StreamLengthAsync(deadLetters);
            if (_deadLettered >= _hostileIds.Count)
            {
                break;
            }

            await Task.Delay(200, cancellationToken);
        }

        context.MarkFaultEnded($"{_deadLettered} of {_hostileIds.Count} foreign entries in the dead-letter stream");
    }

    public async Task<IReadOnlyList<string>> VerifyAsync(ScenarioContext context, ScenarioTally tally)
    {
        var problems = new List<string>();
        using var admin = await _redis.AdminAsync();
        var db = admin.GetDatabase();
        var dead = await db.StreamRangeAsync(context.StreamKey + ":dead-letter");
        foreach (var entry in dead)
        {
            var reason = (string?)entry.Values.FirstOrDefault(v => v.Name == "$dead-letter-reason").Value;
            context.Log($"dead-lettered: {entry.Values.Length} fields, reason: {reason ?? "(none)"}");
            if (string.IsNullOrEmpty(reason))
            {
                problems.Add($"dead-letter entry {entry.Id} carries no reason");
            }
        }

        if (dead.Length != _hostileIds.Count)
        {
            problems.Add($"{_hostileIds.Count} foreign entries were written; the dead-letter stream holds {dead.Length}");
        }

        foreach (var group in await db.StreamGroupInfoAsync(context.StreamKey))
        {
            if (group.PendingMessageCount > 0)
            {
                problems.Add($"group {group.Name} still has {group.PendingMessageCount} pending entries after the workers stopped");
            }
        }

        return problems;
    }

    public ValueTask DisposeAsync()
    {
        _redis.Dispose();
        return ValueTask.CompletedTask;
    }
}
