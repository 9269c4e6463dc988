using System.CommandLine;
using RedisStreams.Cli.Output;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Commands;

/// <summary>
/// <c>redrive</c>: moves failed messages back where they came from, from a queue's dead-letter stream or a
/// framework error queue, each atomically (the engine's <see cref="RedisStreamsClient.RedriveErrorQueueAsync"/>).
/// </summary>
internal static class RedriveCommand
{
    public static Command Create(ActionBinder bind)
    {
        var deadLetters = new Option<string?>("--dead-letters") { Description = "Move entries of this queue's dead-letter stream back into the queue." };
        var errorQueue = new Option<string?>("--error-queue") { Description = "Move entries of this error queue (MassTransit's <queue>_error, Rebus's error) back to the queue each failed in." };
        var ids = new Option<string[]>("--id") { Description = "An entry id to move (repeat for several).", AllowMultipleArgumentsPerToken = true };
        var count = new Option<int?>("--count", "-n") { Description = "Move the oldest N entries." };
        var all = new Option<bool>("--all") { Description = "Move every entry present now." };
        var resumeOnly = new Option<bool>("--resume-only") { Description = "Only complete moves an interrupted redrive started." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would move where; move nothing." };
        var keep = new Option<bool>("--keep-fault-headers") { Description = "Keep the fault headers (MT-Fault-*, MT-Reason, rbs2-error-details, rbs2-source-queue, $dead-letter-*) on the moved messages." };
        var to = new Option<string?>("--to") { Description = "Error queues only: send every selected message to this queue instead of the one its headers name." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("redrive", "Move failed messages back to the queue they came from, each atomically (never in both places, never in neither), with a dry run first if you like.")
        {
            deadLetters, errorQueue, ids, count, all, resumeOnly, dryRun, keep, to, json,
        };
        command.SetAction(bind(async (parsed, context, cancellationToken) =>
        {
            var dead = parsed.GetValue(deadLetters);
            var error = parsed.GetValue(errorQueue);
            if (dead is null == error is null)
            {
                throw new CliException(ExitCodes.Usage, "Name the source: either --dead-letters QUEUE or --error-queue NAME.");
            }

            var selectedIds = parsed.GetValue(ids) ?? [];
            var selections = (selectedIds.Length > 0 ? 1 : 0) + (parsed.GetValue(count) is null ? 0 : 1) + (parsed.GetValue(all) ? 1 : 0) + (parsed.GetValue(resumeOnly) ? 1 : 0);
            if (selections != 1)
            {
                throw new CliException(ExitCodes.Usage, "Choose which messages: --id ID (repeatable), --count N, --all, or --resume-only.");
            }

            if (parsed.GetValue(count) is < 1)
            {
                throw new CliException(ExitCodes.Usage, "--count must be at least 1.");
            }

            if (dead is not null && parsed.GetValue(to) is not null)
            {
                throw new CliException(ExitCodes.Usage, "--to applies to error queues; dead letters always go back to their own queue.");
            }

            var request = new RedriveRequest
            {
                EntryIds = selectedIds.Length > 0 ? selectedIds : null,
                MaxCount = parsed.GetValue(resumeOnly) ? 0 : parsed.GetValue(count),
                DryRun = parsed.GetValue(dryRun),
                KeepFaultHeaders = parsed.GetValue(keep),
                Destination = parsed.GetValue(to),
            };
            var client = await context.ClientAsync().ConfigureAwait(false);
            var report = dead is not null
                ? await client.RedriveDeadLettersAsync(dead, request, cancellationToken).ConfigureAwait(false)
                : await client.RedriveErrorQueueAsync(error!, request, cancellationToken).ConfigureAwait(false);

            if (parsed.GetValue(json))
            {
                context.Out(Json.Write(report));
            }
            else
            {
                Print(context, report);
            }

            return report.Skipped + report.NotFound > 0 ? ExitCodes.Incomplete : ExitCodes.Ok;
        }));
        return command;
    }

    static void Print(CliContext context, RedriveReport report)
    {
        var verb = report.DryRun ? "Would move" : "Moved";
        context.Out($"{verb} {report.Moved} message(s) from {Safe.Text(report.Source)}{(report.Resumed > 0 ? $" ({report.Resumed} of them completing an interrupted redrive)" : string.Empty)}{(report.Moved > 0 ? ":" : ".")}");
        if (report.MovedTo.Count > 0)
        {
            var table = new TextTable(("  TO QUEUE", false), ("MESSAGES", true));
            foreach (var (queue, moved) in report.MovedTo)
            {
                table.Add("  " + queue, Formats.Number(moved));
            }

            foreach (var line in table.Lines())
            {
                context.Out(line);
            }
        }

        foreach (var item in report.Items.Where(i => i.Note is not null && i.Outcome is RedriveOutcome.Moved or RedriveOutcome.Resumed or RedriveOutcome.WouldMove))
        {
            context.Out($"  note {item.EntryId}: {Safe.Text(item.Note)}");
        }

        var left = report.Items.Where(i => i.Outcome == RedriveOutcome.Skipped).ToList();
        if (left.Count > 0)
        {
            context.Out($"{(report.DryRun ? "Would leave" : "Left")} {report.Skipped} message(s) where they are:");
            foreach (var item in left)
            {
                context.Out($"  {item.EntryId}: {Safe.Text(item.Note)}");
            }

            context.Out("  (--to QUEUE sends them to a queue you name.)");
        }

        var missing = report.Items.Where(i => i.Outcome == RedriveOutcome.NotFound).ToList();
        if (missing.Count > 0)
        {
            context.Out($"Not found: {report.NotFound} id(s): {string.Join(", ", missing.Select(i => i.EntryId))}");
        }

        if (report.ItemsTruncated)
        {
            context.Out($"(Only the first {RedriveReport.MaxItems} messages are listed; the counts cover all.)");
        }
    }
}
