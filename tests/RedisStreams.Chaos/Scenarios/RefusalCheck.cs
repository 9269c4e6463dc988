namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// What a stack does on a Redis whose <c>maxmemory-policy</c> evicts keys, without <c>AllowEvictingPolicy</c>:
/// a send must fail with a message that names the policy and the fix, and a worker must not consume.
/// </summary>
internal sealed class RefusalCheck(ChaosSettings settings, IChaosFramework framework, string connection, string prefix, Action<string> log)
{
    public async Task<bool> RunAsync(IChaosScenario scenario, Action<IChaosScenario, string, List<string>, string> report)
    {
        var problems = new List<string>();
        string told;
        try
        {
            await using var producer = await framework.CreateProducerAsync(connection, prefix, settings.Stack);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await producer.SendOnceAsync("refusal-probe", publish: false, timeout.Token);
            told = "the send was acknowledged";
            problems.Add("a send on an evicting policy was acknowledged instead of refused");
        }
        catch (Exception e)
        {
            var cause = e;
            while (cause.InnerException is not null && !cause.Message.Contains("maxmemory-policy", StringComparison.Ordinal))
            {
                cause = cause.InnerException;
            }

            told = $"{cause.GetType().Name}: {cause.Message}";
            if (!cause.Message.Contains("noeviction", StringComparison.Ordinal))
            {
                problems.Add($"the send failed without naming the fix (noeviction): {e}");
            }
        }

        log($"producer: {told}");
        var ledgers = Directory.CreateTempSubdirectory("redis-streams-ledgers-").FullName;
        var worker = new WorkerProcess(settings, connection, prefix, ledgers, 0);
        worker.Start();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                await worker.Process!.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        var workerOutcome = worker.IsRunning
            ? $"still running after 30 s, consuming nothing (last error line: {worker.LastError ?? "none"})"
            : $"exited with code {worker.Process!.ExitCode} (last error line: {worker.LastError ?? "none"})";
        await worker.StopGracefullyAsync(TimeSpan.FromSeconds(10));
        var consumed = Ledger.ReadAll(ledgers).Count;
        Directory.Delete(ledgers, recursive: true);
        if (consumed > 0)
        {
            problems.Add($"a worker consumed {consumed} message(s) on an evicting policy");
        }

        log($"worker: {workerOutcome}");
        report(
            scenario,
            $"| {scenario.Name} | {framework.Name} | off | 1 | 0 | 1 (refused) | 0 | 0 | 0 | - | refuses to start | {(problems.Count == 0 ? "pass" : "FAIL")} |",
            problems,
            $"the caller was told: {told}; the worker {workerOutcome}");
        return problems.Count == 0;
    }
}
