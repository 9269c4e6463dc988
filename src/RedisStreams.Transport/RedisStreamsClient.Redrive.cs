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

    const string RedriveCommands = "+evalsha +eval +script|load +exists +xrange +xrevrange +xadd +xdel +hset +hsetnx +hget +hscan +hdel +hgetall +zadd +zscore +zremrangebyscore +del +publish +time +@transaction";

    /// <summary>
    /// Moves entries of a queue's dead-letter stream back into the queue, each in one atomic step (the two
    /// streams share a hash slot): never in both, never in neither. The <c>$dead-letter-*</c> fields are removed
    /// unless <see cref="RedriveRequest.KeepFaultHeaders"/> is set. The message starts over: a new entry, delivery
    /// count 1. An entry with more fields than a Redis script may write (about 3,500 headers, or fields packed in
    /// <c>$dead-letter-fields</c> when it was dead-lettered) moves in the same atomic step into the queue's oversized
    /// hash and is written from there by this call; if that write fails it stays there, said in the report, and the
    /// next delayed-delivery pass of a receiver of the queue writes it.
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
    /// redrive interrupted at any step is completed by the next one, without duplicates (docs/decisions.md). A
    /// message with more fields than a Redis script may write takes the same steps, except that it lands in the
    /// destination's oversized hash and this call writes it from there to the stream, as
    /// <see cref="RedriveDeadLettersAsync"/> does.
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

        var (kept, skip) = deadLetters ? DeadLetterFieldsToWrite(entry, request.KeepFaultHeaders) : ErrorQueueFieldsToWrite(entry, request.KeepFaultHeaders);
        return kept is null ? (null, skip) : (new MovePlan(entry.Id!, destination, PackedFields.Pack([.. kept]), kept.Count > OversizedEntries.MaxScriptFields), null);
    }

    /// <summary>
    /// The fields a dead letter goes back with: the message's own, unpacked from <c>$dead-letter-fields</c> when the
    /// entry was too large to copy field by field, then (when kept) the <c>$dead-letter-*</c> fields.
    /// </summary>
    static (List<RedisValue>? Fields, string? Skip) DeadLetterFieldsToWrite(StreamEntry entry, bool keepFaultFields)
    {
        var message = new List<RedisValue>(entry.Values.Length * 2);
        var fault = new List<RedisValue>();
        foreach (var field in entry.Values)
        {
            var name = (string?)field.Name ?? string.Empty;
            if (name == DeadLetter.PackedFieldsField)
            {
                RedisValue[] packed;
                try
                {
                    packed = PackedFields.Unpack(((ReadOnlyMemory<byte>)field.Value).Span);
                }
                catch (FormatException e)
                {
                    return (null, $"its message fields, packed in {DeadLetter.PackedFieldsField} because there were too many to copy one by one, cannot be read: {e.Message}");
                }

                message.AddRange(packed);
            }
            else
            {
                var target = FaultHeaders.IsDeadLetterField(name) ? fault : message;
                target.Add(field.Name);
                target.Add(field.Value);
            }
        }

        if (message.Count == 0)
        {
            return (null, "it holds no message fields, only the transport's $dead-letter-* fields (a scheduled message whose payload could not be read keeps it raw in $dead-letter-payload); nothing can go back to the queue");
        }

        if (keepFaultFields)
        {
            message.AddRange(fault);
        }

        return (message, null);
    }

    /// <summary>The fields an error queue's entry goes back with: all of them, less the frameworks' fault headers unless kept.</summary>
    static (List<RedisValue>? Fields, string? Skip) ErrorQueueFieldsToWrite(StreamEntry entry, bool keepFaultFields)
    {
        var kept = new List<RedisValue>(entry.Values.Length * 2);
        foreach (var field in entry.Values)
        {
            if (keepFaultFields || !FaultHeaders.IsFrameworkFaultField((string?)field.Name ?? string.Empty))
            {
                kept.Add(field.Name);
                kept.Add(field.Value);
            }
        }

        return kept.Count == 0 ? (null, "it holds nothing but fault headers; nothing is left to redrive once they are removed") : (kept, null);
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
            foreach (var batch in Batches(plans))
            {
                var args = new List<RedisValue> { target.Doorbell.ToString() };
                foreach (var plan in batch)
                {
                    args.Add(plan.EntryId);
                    args.Add(plan.Packed);
                }

                var results = (RedisResult[])(await Database.ScriptEvaluateAsync(LuaScripts.Move, [source, target.Stream, target.Waiting, target.Oversized], [.. args]).ConfigureAwait(false))!;
                for (var i = 0; i < batch.Length; i++)
                {
                    moved += await RecordAsync(report, target, batch[i].EntryId, results[i]).ConfigureAwait(false);
                }
            }

            // An earlier run that staged a message too large for a script, and died before writing it, left it there.
            await WriteLeftoversAsync(target).ConfigureAwait(false);
        }
        else
        {
            foreach (var batch in Batches(plans))
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

        var results = (RedisResult[])(await Database.ScriptEvaluateAsync(LuaScripts.Deliver, [target.Stream, target.Waiting, target.Redriven, target.Oversized], [.. args]).ConfigureAwait(false))!;
        ThrowIfStopped(2);
        var release = new List<RedisValue>();
        var delivered = new List<(string EntryId, RedisResult Result)>();
        for (var i = 0; i < moves.Count; i++)
        {
            var (entryId, moveId, _) = moves[i];
            if (Failure(results[i]) is { } failure)
            {
                // Stays parked (counted as "in redrive") and is retried by the next redrive.
                report.Add(new RedriveItem(entryId, destination, RedriveOutcome.Skipped, Note: $"writing it to '{destination}' failed, it waits in the redrive hash of '{sourceKeys.Queue}' for the next redrive: {failure}"), interrupted);
                continue;
            }

            release.Add(moveId);
            release.Add(moveId + ":meta");
            delivered.Add((entryId, results[i]));
        }

        if (release.Count > 0)
        {
            await Database.HashDeleteAsync(sourceKeys.Redrive, [.. release]).ConfigureAwait(false);
        }

        foreach (var (entryId, result) in delivered)
        {
            if (result.Resp2Type == ResultType.Integer)
            {
                report.Add(new RedriveItem(entryId, destination, interrupted ? RedriveOutcome.Resumed : RedriveOutcome.Moved, Note: "an earlier, interrupted redrive had already written it"), interrupted);
            }
            else
            {
                await ReportMovedAsync(report, target, entryId, result, interrupted).ConfigureAwait(false);
            }
        }

        // An earlier run that staged a message too large for a script, and died before writing it, left it there.
        await WriteLeftoversAsync(target).ConfigureAwait(false);
        return delivered.Count;
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
                _logger.RedriveResumedLate(report.Source, entryId, destination, RedriveMarkerRetention);
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
            _logger.RedriveResumed(report.Source, resumed);
        }
    }

    /// <summary>Reports one result of <c>move.lua</c>; 1 when the message left the source.</summary>
    async Task<long> RecordAsync(RedriveReportBuilder report, QueueKeys target, string entryId, RedisResult result)
    {
        var destination = target.Queue;
        if (result.Resp2Type == ResultType.Integer)
        {
            report.Add(new RedriveItem(entryId, destination, RedriveOutcome.NotFound, Note: "it left the source meanwhile (moved or removed by someone else)"));
            return 0;
        }

        if (Failure(result) is { } failure)
        {
            report.Add(new RedriveItem(entryId, destination, RedriveOutcome.Skipped, Note: $"writing it to '{destination}' failed, so it stays: {failure}"));
            return 0;
        }

        await ReportMovedAsync(report, target, entryId, result, interrupted: false).ConfigureAwait(false);
        return 1;
    }

    /// <summary>The error in a script's per-message result (<c>'!'</c> and the error), or <c>null</c>.</summary>
    static string? Failure(RedisResult result) =>
        result.Resp2Type is ResultType.BulkString or ResultType.SimpleString && (string?)result is ['!', .. var error] ? error : null;

    /// <summary>
    /// Reports a message that reached its destination: a new entry id, or the key under which a script staged it
    /// in the destination's oversized hash (too many fields for a script), written to the stream here.
    /// </summary>
    async Task ReportMovedAsync(RedriveReportBuilder report, QueueKeys target, string entryId, RedisResult result, bool interrupted)
    {
        var destination = target.Queue;
        var outcome = interrupted ? RedriveOutcome.Resumed : RedriveOutcome.Moved;
        if (result.Resp2Type != ResultType.Array)
        {
            report.Add(new RedriveItem(entryId, destination, outcome, (string?)result), interrupted);
            return;
        }

        var written = await OversizedFor(target).WriteOneStagedAsync((RedisValue)((RedisResult[])result!)[0]).ConfigureAwait(false);
        var note = written.Outcome switch
        {
            StagedOutcome.Written => null,
            StagedOutcome.Unconfirmed => $"written to '{destination}', but not confirmed by the required replicas: {written.Problem}",
            StagedOutcome.WrittenElsewhere => $"written to '{destination}' meanwhile by a receiver's delayed-delivery pass",
            StagedOutcome.StillStaged => $"it has more fields than a Redis script can write and waits in the oversized hash of '{destination}': writing it to the stream failed ({written.Problem}); the next delayed-delivery pass of a receiver of '{destination}', or the next redrive to it, writes it",
            _ => $"its fields could not be read back from the oversized hash of '{destination}' ({written.Problem}); it is in the dead-letter stream of '{destination}', raw",
        };
        report.Add(new RedriveItem(entryId, destination, outcome, written.EntryId, note), interrupted);
    }

    /// <summary>Writes entries too large for a script that an earlier, interrupted redrive (or mover) left staged in <paramref name="target"/>.</summary>
    async Task WriteLeftoversAsync(QueueKeys target)
    {
        // Usually empty: one count, and a scan only when something waits.
        if (await Database.HashLengthAsync(target.Oversized).ConfigureAwait(false) > 0)
        {
            await OversizedFor(target).WriteLeftoversAsync().ConfigureAwait(false);
        }
    }

    void ThrowIfStopped(int step)
    {
        if (StopRedriveAfterStep is { } stop && step >= stop)
        {
            throw new InvalidOperationException($"Test hook: the redrive stopped after step {step}, as a crash would.");
        }
    }

    /// <summary>
    /// Batches of at most <see cref="RedrivePage"/> moves, each cut after a message too large for a script: the script
    /// stages it, and it is written before the next batch goes, so a destination gets its messages in order.
    /// </summary>
    static IEnumerable<MovePlan[]> Batches(IReadOnlyList<MovePlan> plans)
    {
        var batch = new List<MovePlan>(Math.Min(plans.Count, RedrivePage));
        foreach (var plan in plans)
        {
            batch.Add(plan);
            if (plan.Oversized || batch.Count == RedrivePage)
            {
                yield return [.. batch];
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            yield return [.. batch];
        }
    }

    /// <param name="EntryId">The entry's id in the source.</param>
    /// <param name="Destination">The queue it goes to.</param>
    /// <param name="Packed">The fields to write, packed.</param>
    /// <param name="Oversized">More field values than a script may write: it goes through the destination's oversized hash.</param>
    sealed record MovePlan(string EntryId, string Destination, byte[] Packed, bool Oversized);
}
