using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>
/// Runs one Redis failure scenario: worker processes consume, the producer sends each message once at a steady
/// rate and records what its caller was told (acknowledged, or the exception), the scenario injects its fault
/// mid-run, and the report counts sent, acknowledged, failed-and-told, consumed, lost (acknowledged, never
/// consumed), duplicates and the time to recover.
/// </summary>
internal sealed class ScenarioRun(ChaosSettings settings, IChaosFramework framework)
{
    const int SendLoops = 8;
    static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    readonly List<string> _events = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly ScenarioTally _tally = new();
    readonly bool _publish = ScenarioCatalog.Publishes(settings.Scenario);

    public async Task<bool> RunAsync()
    {
        await using var scenario = ScenarioCatalog.Create(settings.Scenario);
        if (settings.Durable && !scenario.HasReplicas)
        {
            Console.Error.WriteLine($"--durable on needs replicas; the {scenario.Name} scenario has none.");
            return false;
        }

        var connection = await scenario.StartAsync();
        var prefix = "chaos-" + Guid.NewGuid().ToString("N")[..6];
        Log($"{scenario.Name}, {framework.Name}, durable writes {(settings.Durable ? "on (RequiredReplicas 1)" : "off")}: {settings.Messages:N0} messages at {settings.Rate}/s, {settings.Consumers} worker processes, Redis: {connection}");
        if (scenario is EvictingPolicyScenario && !settings.AllowEvictingPolicy)
        {
            return await new RefusalCheck(settings, framework, connection, prefix, Log).RunAsync(scenario, ReportRow);
        }

        var ledgers = Directory.CreateTempSubdirectory("redis-streams-ledgers-").FullName;
        var workers = Enumerable.Range(0, settings.Consumers).Select(slot => new WorkerProcess(settings, connection, prefix, ledgers, slot)).ToList();
        workers.ForEach(w => w.Start());
        using var deadline = new CancellationTokenSource(settings.Deadline);
        var context = new ScenarioContext(settings, framework, connection, prefix, workers, _tally, _clock, Log);
        var tail = new LedgerTail(ledgers);
        using var stopTail = new CancellationTokenSource();
        var tailing = Task.Run(async () =>
        {
            while (!stopTail.IsCancellationRequested)
            {
                foreach (var id in tail.ReadNew())
                {
                    _tally.FirstConsumed.TryAdd(id, _clock.Elapsed);
                }

                await Task.Delay(100, CancellationToken.None);
            }
        });

        var problems = new List<string>();
        await using (var producer = await framework.CreateProducerAsync(connection, prefix, settings.Stack))
        {
            if (!await WarmUpAsync(producer, deadline.Token))
            {
                problems.Add("no warm-up message was consumed within 60 s: the workers never received anything");
            }

            var production = TimeSpan.FromSeconds(settings.Messages / (double)settings.Rate);
            var faultDone = false;
            var producing = ProduceAsync(producer, () => Volatile.Read(ref faultDone) ? context.FaultEnded : null, deadline.Token);
            var faulting = Task.Run(async () =>
            {
                await Task.Delay(production * 0.3, deadline.Token);
                try
                {
                    await scenario.InjectAsync(context, deadline.Token);
                }
                finally
                {
                    Volatile.Write(ref faultDone, true);
                }
            });
            await Task.WhenAll(producing, faulting);
            Log($"producer finished: {_tally.Sent:N0} sent, {_tally.Acknowledged:N0} acknowledged, {_tally.Failed:N0} failed");
        }

        await WaitForDrainAsync(deadline.Token);
        foreach (var worker in workers)
        {
            await worker.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        }

        await stopTail.CancelAsync();
        await tailing;
        _tally.Counts = Ledger.ReadAll(ledgers);
        problems.AddRange(await scenario.VerifyAsync(context, _tally));
        var claimed = scenario.ClaimsGuarantee(settings);
        if (claimed && _tally.Lost > 0)
        {
            problems.Add($"{_tally.Lost} acknowledged message(s) lost where the guarantee is claimed, e.g. {string.Join(", ", _tally.LostIds.Order().Take(5))}");
        }

        if (_tally.Acknowledged == 0)
        {
            problems.Add("nothing was acknowledged: the scenario proved nothing");
        }

        Report(scenario, context, problems);
        Directory.Delete(ledgers, recursive: true);
        return problems.Count == 0;
    }

    /// <summary>Sends until one message went through end to end, so counted messages do not race the workers' start (or their subscription).</summary>
    async Task<bool> WarmUpAsync(IChaosProducer producer, CancellationToken cancellationToken)
    {
        var until = _clock.Elapsed + TimeSpan.FromSeconds(60);
        for (var n = 0; _clock.Elapsed < until; n++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(SendTimeout);
                await producer.SendOnceAsync($"w-{n}", _publish, timeout.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Log($"warm-up send failed: {Describe(e)}");
            }

            for (var i = 0; i < 5; i++)
            {
                if (_tally.FirstConsumed.Keys.Any(id => id.StartsWith("w-", StringComparison.Ordinal)))
                {
                    Log("warm-up: a message went through; counting from now");
                    return true;
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        return false;
    }

    /// <summary>
    /// Several loops share one id counter and the rate; each send is tried once and its outcome recorded. Sending
    /// goes on past the planned count until the fault is over and two more seconds' worth were sent, so every run
    /// shows whether sends succeed again after the servers recovered, however long the fault took.
    /// </summary>
    async Task ProduceAsync(IChaosProducer producer, Func<TimeSpan?> faultOver, CancellationToken cancellationToken)
    {
        var next = 0;
        var start = _clock.Elapsed;
        var extra = 0;
        var sentAfterRecovery = -1;
        bool More(int n)
        {
            if (n <= settings.Messages)
            {
                return true;
            }

            if (faultOver() is not { } over)
            {
                return true;
            }

            // Counted once, when the planned sends are used up: usually two seconds' worth went after the recovery already.
            if (Volatile.Read(ref sentAfterRecovery) < 0)
            {
                Interlocked.CompareExchange(ref sentAfterRecovery, _tally.Sends.Values.Count(s => s.Started > over), -1);
            }

            return Volatile.Read(ref sentAfterRecovery) + Interlocked.Increment(ref extra) <= 2 * settings.Rate;
        }

        await Task.WhenAll(Enumerable.Range(0, SendLoops).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && More(n) && !cancellationToken.IsCancellationRequested)
            {
                var due = start + TimeSpan.FromSeconds(n / (double)settings.Rate);
                if (due > _clock.Elapsed)
                {
                    await Task.Delay(due - _clock.Elapsed, cancellationToken);
                }

                var id = $"m-{n:D7}";
                var started = _clock.Elapsed;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(SendTimeout);
                    var queues = await producer.SendOnceAsync(id, _publish, timeout.Token);
                    _tally.Sends[id] = new SendResult(started, true, null, queues);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    _tally.Sends[id] = new SendResult(started, false, Describe(e), null);
                }
            }
        })));
    }

    /// <summary>The transport's own exception where one is in the chain (adapters wrap it), else the outermost type.</summary>
    static string Describe(Exception e)
    {
        if (e is OperationCanceledException)
        {
            return $"no answer within {SendTimeout.TotalSeconds:F0} s (cancelled)";
        }

        for (var inner = (Exception?)e; inner is not null; inner = inner.InnerException ?? (inner as AggregateException)?.InnerExceptions.FirstOrDefault())
        {
            if (inner.GetType().Namespace?.StartsWith("RedisStreams", StringComparison.Ordinal) == true)
            {
                return inner.GetType().Name;
            }
        }

        return e.GetType().Name + (e.InnerException is { } cause ? $" ({cause.GetType().Name})" : string.Empty);
    }

    /// <summary>Waits until every acknowledged message was consumed, or nothing new was consumed for a while (what is lost stays lost).</summary>
    async Task WaitForDrainAsync(CancellationToken cancellationToken)
    {
        var quiet = settings.IsFull ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(12);
        var lastCount = -1;
        var lastChange = _clock.Elapsed;
        while (!cancellationToken.IsCancellationRequested)
        {
            var acknowledged = _tally.Sends.Where(s => s.Value.Acknowledged).Select(s => s.Key).ToList();
            var missing = acknowledged.Count(id => !_tally.FirstConsumed.ContainsKey(id));
            if (missing == 0)
            {
                Log("every acknowledged message was consumed");
                return;
            }

            if (_tally.FirstConsumed.Count != lastCount)
            {
                lastCount = _tally.FirstConsumed.Count;
                lastChange = _clock.Elapsed;
            }
            else if (_clock.Elapsed - lastChange > quiet)
            {
                Log($"nothing consumed for {quiet.TotalSeconds:F0} s; {missing:N0} acknowledged message(s) never arrived");
                return;
            }

            await Task.Delay(250, CancellationToken.None);
        }

        Log("deadline reached while waiting for the backlog to drain");
    }

    void Log(string line)
    {
        var stamped = $"[{_clock.Elapsed.TotalSeconds,6:F1} s] {line}";
        lock (_events)
        {
            _events.Add(stamped);
        }

        Console.WriteLine(stamped);
    }

    static string Seconds(TimeSpan? span) => span is { } s ? s.TotalSeconds.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture).TrimStart('+') + " s" : "-";

    void Report(IChaosScenario scenario, ScenarioContext context, List<string> problems)
    {
        var fault = context.FaultStarted;
        var counted = _tally.Sends.Where(s => s.Key.StartsWith("m-", StringComparison.Ordinal)).ToList();
        var afterFault = fault is { } f
            ? counted.Where(s => s.Value.Started >= f && _tally.FirstConsumed.ContainsKey(s.Key)).Select(s => _tally.FirstConsumed[s.Key]).DefaultIfEmpty().Min() - f
            : (TimeSpan?)null;
        if (afterFault < TimeSpan.Zero)
        {
            afterFault = null;
        }

        // Drained: everything acknowledged until the servers were whole again (and consumed at all) was consumed.
        var whole = context.FaultEnded ?? fault;
        var backlog = counted.Where(s => s.Value.Started <= whole && _tally.FirstConsumed.ContainsKey(s.Key)).ToList();
        var drained = fault is { } g && backlog.Count > 0 ? backlog.Max(s => _tally.FirstConsumed[s.Key]) - g : (TimeSpan?)null;
        var failed = _tally.Failed == 0 ? "0" : $"{_tally.Failed:N0} ({_tally.FailureKinds})";
        var extra = _tally.PublishedToNoQueue > 0 ? $"; {_tally.PublishedToNoQueue:N0} publishes reached no queue" : string.Empty;
        var lost = _tally.LostIds.Select(id => _tally.Sends[id].Started).ToList();
        if (lost.Count > 0 && fault is { } h)
        {
            extra += $"; the lost were sent between {Seconds(lost.Min() - h)} and {Seconds(lost.Max() - h)} after the fault";
        }
        Report(scenario,
            $"| {scenario.Name} | {framework.Name} | {(settings.Durable ? "on" : "off")} | {_tally.Sent:N0} | {_tally.Acknowledged:N0} | {failed} | {_tally.Consumed:N0} | **{_tally.Lost:N0}** | {_tally.Duplicates:N0} | {Seconds(afterFault)} / {Seconds(drained)} | {(scenario.ClaimsGuarantee(settings) ? "claimed" : "not claimed")} | {(problems.Count == 0 ? "pass" : "FAIL")} |",
            problems,
            $"fault at {Seconds(fault)}, servers whole again {Seconds(context.FaultEnded - fault)} later; failed but delivered all the same: {_tally.FailedButDelivered:N0}{extra}");
    }

    void Report(IChaosScenario scenario, string row, List<string> problems, string? note)
    {
        var report = new StringBuilder();
        report.AppendLine("| scenario | stack | durable | sent | acknowledged | failed, caller told | consumed | lost | duplicates | first consumed after the fault / backlog drained | guarantee | verdict |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        report.AppendLine(row);
        report.AppendLine($"- guarantee: {scenario.Guarantee(settings)}");
        if (note is not null)
        {
            report.AppendLine($"- {note}");
        }

        foreach (var problem in problems)
        {
            report.AppendLine($"- problem: {problem}");
        }

        report.AppendLine();
        lock (_events)
        {
            foreach (var line in _events)
            {
                report.AppendLine($"    {line}");
            }
        }

        Console.WriteLine(report);
        if (settings.ReportPath is { } path)
        {
            File.AppendAllText(path, report.ToString());
        }
    }

    void ReportRow(IChaosScenario scenario, string row, List<string> problems, string note) => Report(scenario, row, problems, note);
}
