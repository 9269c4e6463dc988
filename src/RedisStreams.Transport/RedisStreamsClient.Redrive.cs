using System.Globalization;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Redrive;
using RedisStreams.Transport.Scripts;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    /// <summary>How long a destination remembers that a move wrote to it; a move interrupted for longer may arrive twice.</summary>
    internal static readonly TimeSpan RedriveMarkerRetention = TimeSpan.FromDays(7);

    /// <summary>Entries read and moved per script call.</summary>
    const int RedrivePage = 100;

    /// <summary>Lua's unpack() stops near 8,000 values: an entry with more fields cannot be written by a script.</summary>
    const int MaxScriptFields = 3_900;

    const string RedriveCommands = "+evalsha +eval +script|load +exists +xrange +xrevrange +xadd +xdel +hset +hdel +hgetall +zadd +zscore +zremrangebyscore +del +publish +time";

    /// <summary>
    /// Moves entries of a queue's dead-letter stream back into the queue, each in one atomic step (the two
    /// streams share a hash slot): never in both, never in neither. The <c>$dead-letter-*</c> fields are removed
    /// unless <see cref="RedriveRequest.KeepFaultHeaders"/> is set. The message starts over: a new entry, delivery
    /// count 1.
    /// </summary>
    /// <param name="queue">The queue whose dead letters go back.</param>
    /// <param name="request">Which entries, and how.</param>
    /// <param name="cancellationToken">Stops between pages; every page is complete.</param>
    /// <exception cref="QueueNotFoundException">The queue has no key at all.</exception>
    /// <exception cref="RedisStreamsPermissionException">The ACL user lacks a command or key the redrive needs.</exception>
    public Task<RedriveReport> RedriveDeadLettersAsync(string queue, RedriveRequest request, CancellationToken cancellationToken = default) =>
        RedriveAsync(queue, deadLetters: true, request, requireSource: true, cancellationToken);

    /// <summary>
    /// Moves messages from a framework error queue back to the queues they failed in: MassTransit's
    /// <c>&lt;queue&gt;_error</c> (destination from <c>MT-Fault-InputAddress</c>, else the name without <c>_error</c>)
    /// or Rebus's <c>error</c> (destination from <c>rbs2-source-queue</c>). Messages whose destination cannot be
    /// found stay, with the reason in the report.
    /// </summary>
    /// <remarks>
    /// Each message moves atomically as far as anyone can see: never in both queues, never in neither. When both
    /// queues can be reached by one script (one server, or one Cluster slot) it is one script. Otherwise the
    /// message is first taken out of the error queue into its redrive hash (same slot), then written to the
    /// destination together with a de-duplication marker (destination's slot), then removed from the hash; a
    /// redrive interrupted at any step is completed by the next one, without duplicates (docs/decisions.md).
    /// </remarks>
    /// <param name="errorQueue">The error queue, e.g. <c>orders_error</c> or <c>error</c>.</param>
    /// <param name="request">Which entries, and how.</param>
    /// <param name="cancellationToken">Stops between pages; every page is complete.</param>
    /// <exception cref="QueueNotFoundException">The error queue has no key at all.</exception>
    /// <exception cref="RedisStreamsPermissionException">The ACL user lacks a command or key the redrive needs.</exception>
    public Task<RedriveReport> RedriveErrorQueueAsync(string errorQueue, RedriveRequest request, CancellationToken cancellationToken = default) =>
        RedriveAsync(errorQueue, deadLetters: false, request, requireSource: true, cancellationToken);

    /// <summary>Test hook: uses the cross-slot protocol even where one script would do.</summary>
    internal bool ForceRedriveProtocol { get; set; }

    /// <summary>Test hook: stops a cross-slot move after this step (1 park, 2 deliver), as a crash would.</summary>
    internal int? StopRedriveAfterStep { get; set; }

    async Task<RedriveReport> RedriveAsync(string queue, bool deadLetters, RedriveRequest request, bool requireSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var keys = KeysFor(queue);
        var report = new RedriveReportBuilder(deadLetters ? queue + " (dead letters)" : queue, request.DryRun);
        await GuardAsync(
            async () =>
            {
                if (requireSource)
                {
                    await ThrowIfMissingAsync(queue).ConfigureAwait(false);
                }

                if (!deadLetters)
                {
                    await ResumeMovesAsync(keys, report, request.DryRun).ConfigureAwait(false);
                }

                var source = deadLetters ? keys.DeadLetter : keys.Stream;
                await foreach (var page in SelectAsync(source, request, report, cancellationToken).ConfigureAwait(false))
                {
                    var plans = new List<MovePlan>(page.Length);
                    foreach (var entry in page)
                    {
                        var (plan, skip) = Plan(queue, deadLetters, entry, request);
                        if (plan is not null)
                        {
                            plans.Add(plan);
                        }
                        else
                        {
                            report.Add(new RedriveItem(entry.Id!, null, RedriveOutcome.Skipped, Note: skip));
                            _logger.RedriveSkipped(report.Source, entry.Id!, skip!);
                        }
                    }

                    if (request.DryRun)
                    {
                        plans.ForEach(p => report.Add(new RedriveItem(p.EntryId, p.Destination, RedriveOutcome.WouldMove)));
                        continue;
                    }

                    foreach (var byDestination in plans.GroupBy(p => p.Destination, StringComparer.Ordinal))
                    {
                        await MoveAsync(keys, source, byDestination.Key, [.. byDestination], report).ConfigureAwait(false);
                    }
                }

                return true;
            },
            $"redriving {(deadLetters ? "the dead letters of " : string.Empty)}'{queue}'",
            RedriveCommands).ConfigureAwait(false);
        return report.Build();
    }

    /// <summary>What to write where for one entry, or why it must stay.</summary>
    (MovePlan? Plan, string? Skip) Plan(string queue, bool deadLetters, StreamEntry entry, RedriveRequest request)
    {
        if (entry.Values.Length > MaxScriptFields)
        {
            return (null, $"it has {entry.Values.Length} fields, more than a Redis script can write at once; move it with XADD by hand");
        }

        string? destination;
        if (deadLetters)
        {
            destination = queue;
        }
        else
        {
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in entry.Values)
            {
                var name = (string?)field.Name ?? string.Empty;
                if (name != StreamFields.Body)
                {
                    headers[name] = (string?)field.Value ?? string.Empty;
                }
            }

            string? problem = null;
            destination = request.Destination ?? FaultHeaders.SourceQueueOf(headers, queue, Options.KeyPrefix, out problem);
            destination = destination is null ? null : FaultHeaders.Check(destination, queue, out problem);
            if (destination is null)
            {
                return (null, problem);
            }
        }

        var kept = new List<RedisValue>(entry.Values.Length * 2);
        foreach (var field in entry.Values)
        {
            var name = (string?)field.Name ?? string.Empty;
            var fault = deadLetters ? FaultHeaders.IsDeadLetterField(name) : FaultHeaders.IsFrameworkFaultField(name);
            if (request.KeepFaultHeaders || !fault)
            {
                kept.Add(field.Name);
                kept.Add(field.Value);
            }
        }

        return (new MovePlan(entry.Id!, destination, PackedFields.Pack([.. kept])), null);
    }

    /// <summary>The entries a request selects, a page at a time, oldest first; ids not found are reported.</summary>
    async IAsyncEnumerable<StreamEntry[]> SelectAsync(RedisKey source, RedriveRequest request, RedriveReportBuilder report, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var db = Database;
        if (request.EntryIds is { } ids)
        {
            foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(RedrivePage))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var reads = chunk.Select(id => (Id: id, Entries: db.StreamRangeAsync(source, id, id, 1))).ToList();
                var found = new List<StreamEntry>();
                foreach (var (id, entries) in reads)
                {
                    var entry = await entries.ConfigureAwait(false);
                    if (entry.Length == 0)
                    {
                        report.Add(new RedriveItem(id, null, RedriveOutcome.NotFound, Note: "no such entry (already moved, or never there)"));
                    }
                    else
                    {
                        found.Add(entry[0]);
                    }
                }

                yield return [.. found];
            }

            yield break;
        }

        // Everything present now, and nothing added later: a message that fails again while the redrive runs
        // lands behind the bound and waits for the next one, so the redrive always ends.
        var newest = await db.StreamRangeAsync(source, "-", "+", 1, Order.Descending).ConfigureAwait(false);
        if (newest.Length == 0)
        {
            yield break;
        }

        var bound = newest[0].Id;
        long remaining = request.MaxCount ?? long.MaxValue;
        RedisValue from = "-";
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await db.StreamRangeAsync(source, from, bound, (int)Math.Min(RedrivePage, remaining)).ConfigureAwait(false);
            if (page.Length == 0)
            {
                yield break;
            }

            remaining -= page.Length;
            from = "(" + page[^1].Id;
            yield return page;
        }
    }

    /// <summary>Moves planned entries from <paramref name="source"/> to one destination, in one script where it can.</summary>
    async Task MoveAsync(QueueKeys sourceKeys, RedisKey source, string destination, IReadOnlyList<MovePlan> plans, RedriveReportBuilder report)
    {
        var target = KeysFor(destination);
        long moved = 0;
        if (CanScriptAcross(source, target.Stream) && !ForceRedriveProtocol)
        {
            foreach (var batch in plans.Chunk(RedrivePage))
            {
                var args = new List<RedisValue> { target.Doorbell.ToString() };
                foreach (var plan in batch)
                {
                    args.Add(plan.EntryId);
                    args.Add(plan.Packed);
                }

                var results = (RedisResult[])(await Database.ScriptEvaluateAsync(LuaScripts.Move, [source, target.Stream, target.Waiting], [.. args]).ConfigureAwait(false))!;
                for (var i = 0; i < batch.Length; i++)
                {
                    moved += Record(report, batch[i].EntryId, destination, results[i], gone: "it left the source meanwhile (moved or removed by someone else)");
                }
            }
        }
        else
        {
            foreach (var batch in plans.Chunk(RedrivePage))
            {
                moved += await MoveAcrossSlotsAsync(sourceKeys, source, target, batch, report).ConfigureAwait(false);
            }
        }

        if (moved > 0)
        {
            _logger.Redrove(report.Source, destination, moved);
        }
    }

    /// <summary>Step 1 park (source slot), step 2 deliver with marker (destination slot), step 3 release (source slot).</summary>
    async Task<long> MoveAcrossSlotsAsync(QueueKeys sourceKeys, RedisKey source, QueueKeys target, MovePlan[] batch, RedriveReportBuilder report)
    {
        var db = Database;
        var moves = batch.Select(p => (Plan: p, MoveId: Guid.NewGuid().ToString("N"))).ToList();
        var parkArgs = new List<RedisValue>();
        foreach (var (plan, moveId) in moves)
        {
            parkArgs.Add(plan.EntryId);
            parkArgs.Add(moveId);
            parkArgs.Add(plan.Destination);
            parkArgs.Add(plan.Packed);
        }

        var parked = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.Park, [source, sourceKeys.Redrive], [.. parkArgs]).ConfigureAwait(false))!;
        var delivering = new List<(string EntryId, string MoveId, byte[] Packed)>();
        for (var i = 0; i < moves.Count; i++)
        {
            if ((long)parked[i] == 1)
            {
                delivering.Add((moves[i].Plan.EntryId, moves[i].MoveId, moves[i].Plan.Packed));
            }
            else
            {
                report.Add(new RedriveItem(moves[i].Plan.EntryId, moves[i].Plan.Destination, RedriveOutcome.NotFound, Note: "it left the source meanwhile (moved or removed by someone else)"));
            }
        }

        ThrowIfStopped(1);
        return await DeliverAndReleaseAsync(sourceKeys, target, delivering, report, interrupted: false).ConfigureAwait(false);
    }

    async Task<long> DeliverAndReleaseAsync(QueueKeys sourceKeys, QueueKeys target, List<(string EntryId, string MoveId, byte[] Packed)> moves, RedriveReportBuilder report, bool interrupted)
    {
        if (moves.Count == 0)
        {
            return 0;
        }

        var destination = target.Queue;
        var args = new List<RedisValue> { target.Doorbell.ToString(), (long)RedriveMarkerRetention.TotalMilliseconds };
        foreach (var (_, moveId, packed) in moves)
        {
            args.Add(moveId);
            args.Add(packed);
        }

        var results = (RedisResult[])(await Database.ScriptEvaluateAsync(LuaScripts.Deliver, [target.Stream, target.Waiting, target.Redriven], [.. args]).ConfigureAwait(false))!;
        ThrowIfStopped(2);
        var release = new List<RedisValue>();
        long moved = 0;
        for (var i = 0; i < moves.Count; i++)
        {
            var (entryId, moveId, _) = moves[i];
            var text = results[i].Resp2Type == ResultType.Integer ? null : (string?)results[i];
            if (text is not null && text.StartsWith('!'))
            {
                // Stays parked (counted as "in redrive") and is retried by the next redrive.
                report.Add(new RedriveItem(entryId, destination, RedriveOutcome.Skipped, Note: $"writing it to '{destination}' failed, it waits in the redrive hash of '{sourceKeys.Queue}' for the next redrive: {text[1..]}"), interrupted);
                continue;
            }

            release.Add(moveId);
            release.Add(moveId + ":meta");
            moved++;
            report.Add(new RedriveItem(entryId, destination, interrupted ? RedriveOutcome.Resumed : RedriveOutcome.Moved, text, text is null ? "an earlier, interrupted redrive had already written it" : null), interrupted);
        }

        if (release.Count > 0)
        {
            await Database.HashDeleteAsync(sourceKeys.Redrive, [.. release]).ConfigureAwait(false);
        }

        return moved;
    }

    /// <summary>Completes the moves out of an error queue that an earlier redrive started and did not finish.</summary>
    async Task ResumeMovesAsync(QueueKeys sourceKeys, RedriveReportBuilder report, bool dryRun)
    {
        var fields = await Database.HashGetAllAsync(sourceKeys.Redrive).ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return;
        }

        var values = fields.ToDictionary(f => (string)f.Name!, f => f.Value, StringComparer.Ordinal);
        var now = new DateTimeOffset(DateTime.SpecifyKind(await ServerTimeAsync(sourceKeys.Stream).ConfigureAwait(false), DateTimeKind.Utc));
        var byDestination = new Dictionary<string, List<(string EntryId, string MoveId, byte[] Packed)>>(StringComparer.Ordinal);
        var logger = _logger;
        foreach (var (name, value) in values)
        {
            if (name.EndsWith(":meta", StringComparison.Ordinal) || !values.TryGetValue(name + ":meta", out var meta))
            {
                continue;
            }

            // "<parked at ms> <source entry id> <destination queue>": the queue last, since it may hold spaces.
            var parts = ((string)meta!).Split(' ', 3);
            var parkedAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[0], CultureInfo.InvariantCulture));
            var (entryId, destination) = (parts[1], parts[2]);
            string? note = null;
            if (now - parkedAt > RedriveMarkerRetention)
            {
                note = $"it waited since {parkedAt:u} in the middle of a redrive, longer than the {RedriveMarkerRetention.TotalDays:0}-day de-duplication window: if that redrive had written it already, it arrives twice";
                logger.RedriveResumedLate(report.Source, entryId, destination, RedriveMarkerRetention);
            }

            if (dryRun)
            {
                report.Add(new RedriveItem(entryId, destination, RedriveOutcome.WouldMove, Note: note ?? "an earlier redrive was interrupted while moving it; it would be completed"), interrupted: true);
                continue;
            }

            if (!byDestination.TryGetValue(destination, out var list))
            {
                list = [];
                byDestination[destination] = list;
            }

            list.Add((entryId, name, (byte[])value!));
        }

        long resumed = 0;
        foreach (var (destination, moves) in byDestination)
        {
            resumed += await DeliverAndReleaseAsync(sourceKeys, KeysFor(destination), moves, report, interrupted: true).ConfigureAwait(false);
        }

        if (resumed > 0)
        {
            logger.RedriveResumed(report.Source, resumed);
        }
    }

    static long Record(RedriveReportBuilder report, string entryId, string destination, RedisResult result, string gone)
    {
        if (result.Resp2Type == ResultType.Integer)
        {
            report.Add(new RedriveItem(entryId, destination, RedriveOutcome.NotFound, Note: gone));
            return 0;
        }

        var text = (string)result!;
        if (text.StartsWith('!'))
        {
            report.Add(new RedriveItem(entryId, destination, RedriveOutcome.Skipped, Note: $"writing it to '{destination}' failed, so it stays: {text[1..]}"));
            return 0;
        }

        report.Add(new RedriveItem(entryId, destination, RedriveOutcome.Moved, text));
        return 1;
    }

    void ThrowIfStopped(int step)
    {
        if (StopRedriveAfterStep is { } stop && step >= stop)
        {
            throw new InvalidOperationException($"Test hook: the redrive stopped after step {step}, as a crash would.");
        }
    }

    sealed record MovePlan(string EntryId, string Destination, byte[] Packed);
}
