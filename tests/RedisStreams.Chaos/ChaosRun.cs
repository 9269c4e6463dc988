using System.Diagnostics;
using System.Text;
using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>
/// Runs producers and worker processes against a Redis it keeps hurting, then checks that every message was
/// consumed at least once and nothing is left behind.
/// </summary>
internal sealed class ChaosRun(ChaosSettings settings, IChaosFramework framework)
{
    const int MalformedEntries = 2;
    readonly List<string> _events = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<bool> RunAsync()
    {
        using var redis = new ChaosRedis();
        await redis.StartAsync();
        var prefix = "chaos-" + Guid.NewGuid().ToString("N")[..6];
        var ledgers = Directory.CreateTempSubdirectory("redis-streams-ledgers-").FullName;
        var ids = Enumerable.Range(1, settings.Messages).Select(i => $"m-{i:D7}").ToList();
        Log($"{framework.Name}: {settings.Messages:N0} messages, {settings.Consumers} worker processes, Redis on port {redis.Port} (appendfsync always)");

        var workers = Enumerable.Range(0, settings.Consumers).Select(slot => new WorkerProcess(settings, redis.Connection, prefix, ledgers, slot)).ToList();
        workers.ForEach(w => w.Start());
        using var deadline = new CancellationTokenSource(settings.Deadline);

        await using var producer = await framework.CreateProducerAsync(redis.Connection, prefix, settings.Stack);
        await producer.SendAsync([ChaosSettings.PoisonDie, ChaosSettings.PoisonThrow], deadline.Token);
        await WriteMalformedEntriesAsync(redis, framework.StreamKey(prefix));
        var producing = ProduceAtRateAsync(producer, ids, deadline.Token);

        var restarts = 0;
        var watchdog = Task.Run(async () =>
        {
            // Workers that die by themselves (the poison that kills its consumer) come back, as an orchestrator would.
            while (!deadline.IsCancellationRequested)
            {
                foreach (var worker in workers)
                {
                    if (worker.Start())
                    {
                        Interlocked.Increment(ref restarts);
                    }
                }

                await Task.Delay(200);
            }
        });

        await InjectFaultsAsync(redis, workers, ledgers, deadline.Token);
        await producing;
        Log("producer finished");

        var counts = await WaitForAllAsync(ids, ledgers, deadline.Token);
        var problems = new List<string>();
        using (var admin = await redis.AdminAsync())
        {
            var db = admin.GetDatabase();
            problems.AddRange(await WaitForFailuresAsync(db, prefix, deadline.Token));
            problems.AddRange(await WaitForNoLitterAsync(db, framework.StreamKey(prefix), workers.Count, deadline.Token));
            await deadline.CancelAsync();
            await watchdog;
            foreach (var worker in workers)
            {
                await worker.StopGracefullyAsync(TimeSpan.FromSeconds(30));
            }

            var pending = await PendingAsync(db, framework.StreamKey(prefix));
            if (pending != 0)
            {
                problems.Add($"{pending} entries still pending after every worker stopped");
            }

            problems.AddRange(await LeftoverKeysAsync(admin, prefix));
        }

        var lost = ids.Count(id => !counts.ContainsKey(id));
        var duplicates = counts.Where(c => c.Key.StartsWith("m-", StringComparison.Ordinal)).Sum(c => c.Value - 1);
        if (lost > 0)
        {
            problems.Add($"{lost} message(s) lost, e.g. {string.Join(", ", ids.Where(id => !counts.ContainsKey(id)).Take(5))}");
        }

        Report(lost, duplicates, restarts, problems);
        Directory.Delete(ledgers, recursive: true);
        return problems.Count == 0;
    }

    /// <summary>Sends at the configured rate, in quarter-second slices, so faults land while messages flow.</summary>
    async Task ProduceAtRateAsync(IChaosProducer producer, List<string> ids, CancellationToken cancellationToken)
    {
        var slice = Math.Max(1, settings.Rate / 4);
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < ids.Count; sent += slice)
        {
            await producer.SendAsync(ids.GetRange(sent, Math.Min(slice, ids.Count - sent)), cancellationToken);
            var due = TimeSpan.FromSeconds((sent + slice) / (double)settings.Rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }
        }
    }

    async Task InjectFaultsAsync(ChaosRedis redis, List<WorkerProcess> workers, string ledgers, CancellationToken cancellationToken)
    {
        var faults = new List<(string Name, Func<Task> Inject)>();
        for (var i = 0; i < settings.WorkerKills; i++)
        {
            faults.Add(("kill -9 a worker process", () =>
            {
                workers[Random.Shared.Next(workers.Count)].KillAndRestart();
                return Task.CompletedTask;
            }));
        }

        for (var i = 0; i < settings.ConnectionKills; i++)
        {
            faults.Add(("CLIENT KILL every connection", async () => await redis.KillClientsAsync()));
        }

        for (var i = 0; i < settings.RedisRestarts; i++)
        {
            faults.Add(("restart redis-server (kill, replay AOF)", async () => await redis.RestartAsync()));
        }

        for (var i = 0; i < settings.RedisPauses; i++)
        {
            faults.Add(("CLIENT PAUSE 7 s (longer than the 5 s client timeout)", () => redis.PauseAsync(TimeSpan.FromSeconds(7))));
        }

        foreach (var (name, inject) in faults.OrderBy(_ => Random.Shared.Next()))
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            var before = LedgerBytes(ledgers);
            var injected = _clock.Elapsed;
            await inject();
            var recovery = await WaitForProgressAsync(ledgers, before, cancellationToken);
            Log(recovery is { } r
                ? $"fault: {name}; consumption resumed {r.TotalSeconds:F1} s after it was injected (t={injected.TotalSeconds:F0} s)"
                : $"fault: {name} at t={injected.TotalSeconds:F0} s; nothing was left to consume afterwards");
        }
    }

    /// <summary>Time until the ledgers grow again; <c>null</c> when everything was consumed already.</summary>
    async Task<TimeSpan?> WaitForProgressAsync(string ledgers, long before, CancellationToken cancellationToken)
    {
        var started = _clock.Elapsed;
        var everything = (long)settings.Messages * "m-0000000\n".Length;
        while (LedgerBytes(ledgers) <= before && !cancellationToken.IsCancellationRequested)
        {
            if (before >= everything)
            {
                return null;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return _clock.Elapsed - started;
    }

    static long LedgerBytes(string directory) => Directory.EnumerateFiles(directory, "*.ledger").Sum(f => new FileInfo(f).Length);

    async Task<Dictionary<string, int>> WaitForAllAsync(List<string> ids, string ledgers, CancellationToken cancellationToken)
    {
        while (true)
        {
            var counts = Ledger.ReadAll(ledgers);
            if (ids.All(counts.ContainsKey) || cancellationToken.IsCancellationRequested)
            {
                Log($"{counts.Count(c => c.Key.StartsWith("m-", StringComparison.Ordinal)):N0} of {ids.Count:N0} messages consumed");
                return counts;
            }

            await Task.Delay(500, CancellationToken.None);
        }
    }

    async Task<IReadOnlyList<string>> WaitForFailuresAsync(IDatabase db, string prefix, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> problems;
        do
        {
            problems = await Retry.ResultAsync(() => framework.VerifyFailuresAsync(db, prefix, MalformedEntries));
            if (problems.Count == 0)
            {
                Log("poison: each injected failure is where it belongs, and nothing else failed");
                break;
            }

            await Task.Delay(500, CancellationToken.None);
        }
        while (!cancellationToken.IsCancellationRequested);
        return problems;
    }

    async Task<IReadOnlyList<string>> WaitForNoLitterAsync(IDatabase db, string stream, int live, CancellationToken cancellationToken)
    {
        // Killed workers' consumers hold nothing once reclaimed, and the live workers sweep them.
        while (true)
        {
            var groups = await Retry.ResultAsync(() => db.StreamGroupInfoAsync(stream));
            var consumers = 0;
            foreach (var group in groups)
            {
                var members = await Retry.ResultAsync(() => db.StreamConsumerInfoAsync(stream, group.Name));
                consumers += members.Count(c => c.Name != "~returned");
            }

            if (consumers <= live)
            {
                Log($"consumer litter: {consumers} consumer(s) left for {live} live worker(s)");
                return [];
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return [$"{consumers} consumers remain for {live} live workers"];
            }

            await Task.Delay(500, CancellationToken.None);
        }
    }

    /// <summary>
    /// Keys that outlive the run: everything under the prefix must be the work queue, an error queue, the
    /// subscription registry, or carry an expiry (temporary queues of killed instances expire by themselves).
    /// </summary>
    async Task<IReadOnlyList<string>> LeftoverKeysAsync(ConnectionMultiplexer admin, string prefix)
    {
        var db = admin.GetDatabase();
        var leftovers = new List<string>();
        var expiring = 0;
        await foreach (var key in admin.GetServers()[0].KeysAsync(pattern: prefix + ":*"))
        {
            var name = key.ToString();
            if (name.Contains("{chaos-work", StringComparison.Ordinal) || name.Contains("{error}", StringComparison.Ordinal) ||
                name.Contains(":topic:", StringComparison.Ordinal) || name.EndsWith(":registry-version", StringComparison.Ordinal))
            {
                continue;
            }

            if (await db.KeyTimeToLiveAsync(key) is null)
            {
                leftovers.Add(name);
            }
            else
            {
                expiring++;
            }
        }

        Log($"temporary keys: {leftovers.Count} left without an expiry, {expiring} expiring by themselves");
        return leftovers.Count == 0 ? [] : [$"keys left behind with no expiry: {string.Join(", ", leftovers.Take(5))}"];
    }

    static async Task<long> PendingAsync(IDatabase db, string stream)
    {
        long pending = 0;
        foreach (var group in await Retry.ResultAsync(() => db.StreamGroupInfoAsync(stream)))
        {
            pending += group.PendingMessageCount;
        }

        return pending;
    }

    static async Task WriteMalformedEntriesAsync(ChaosRedis redis, string stream)
    {
        // Written with redis-cli, as an operator or a foreign producer would. The first is hostile too: 10,000
        // fields, more than a Redis script can copy, and it must not stall anything either.
        for (var i = 0; i < MalformedEntries; i++)
        {
            var hostile = i == 0 ? Enumerable.Range(0, 10_000).SelectMany(f => new[] { $"f{f}", $"v{f}" }) : [];
            var start = new ProcessStartInfo("redis-cli", ["-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "XADD", stream, "*", "foo", $"bar-{i}", .. hostile]) { RedirectStandardOutput = true };
            using var cli = Process.Start(start)!;
            await cli.WaitForExitAsync();
        }
    }

    void Log(string line)
    {
        var stamped = $"[{_clock.Elapsed.TotalSeconds,6:F1} s] {line}";
        _events.Add(stamped);
        Console.WriteLine(stamped);
    }

    void Report(int lost, int duplicates, int restarts, List<string> problems)
    {
        var report = new StringBuilder();
        report.AppendLine($"| framework | messages | lost | duplicates | worker restarts after self-inflicted deaths | verdict |");
        report.AppendLine("|---|---|---|---|---|---|");
        report.AppendLine($"| {framework.Name} | {settings.Messages:N0} | {lost} | {duplicates} | {restarts} | {(problems.Count == 0 ? "pass" : "FAIL")} |");
        foreach (var problem in problems)
        {
            report.AppendLine($"- problem: {problem}");
        }

        report.AppendLine();
        foreach (var line in _events)
        {
            report.AppendLine($"    {line}");
        }

        Console.WriteLine(report);
        if (settings.ReportPath is { } path)
        {
            File.AppendAllText(path, report.ToString());
        }
    }
}
