using System.CommandLine;
using RedisStreams.Cli.Output;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Commands;

/// <summary><c>show QUEUE</c>: one queue's numbers, groups and consumers (with what each holds and how long it has been silent).</summary>
internal static class ShowCommand
{
    public static Command Create(ActionBinder bind)
    {
        var queue = new Argument<string>("queue") { Description = "The queue." };
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts." };
        var command = new Command("show", "Show one queue: its numbers, its consumer groups, and each consumer with the messages it holds and how long it has been idle.")
        {
            queue, json,
        };
        command.SetAction(bind(async (parsed, context, _) =>
        {
            var client = await context.ClientAsync().ConfigureAwait(false);
            var details = await client.GetQueueDetailsAsync(parsed.GetValue(queue)!).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                context.Out(Json.Write(new
                {
                    summary = QueuesCommand.ToJson(details.Summary),
                    firstEntryId = details.FirstEntryId,
                    lastEntryId = details.LastEntryId,
                    nextDelayedDue = details.NextDelayedDue,
                    groups = details.Groups.Select(g => new
                    {
                        name = g.Name,
                        pending = g.Pending,
                        waiting = g.Waiting,
                        lastDeliveredId = g.LastDeliveredId,
                        oldestPendingId = g.OldestPendingId,
                        oldestPendingSeconds = Json.Seconds(g.OldestPendingAge),
                        consumers = g.Consumers.Select(c => new { name = c.Name, pending = c.Pending, idleSeconds = Json.Seconds(c.Idle) }),
                    }),
                }));
                return ExitCodes.Ok;
            }

            Print(context, details);
            return ExitCodes.Ok;
        }));
        return command;
    }

    static void Print(CliContext context, QueueDetails details)
    {
        var s = details.Summary;
        context.Out($"Queue {Safe.Text(s.Queue)}  (prefix {context.Prefix}, Redis {context.Endpoints})");
        context.Out($"  depth {Formats.Number(s.Depth)}   waiting {Formats.Number(s.Waiting)}   pending {s.Pending}   oldest pending {Formats.Age(s.OldestPendingAge)}");
        context.Out($"  stream length {s.Length}   scheduled {s.Delayed} (next due {Formats.Time(details.NextDelayedDue)})   dead letters {s.DeadLettered}");
        context.Out($"  error queue {(s.ErrorQueue is null ? "-" : $"{Safe.Text(s.ErrorQueue)} ({s.ErrorQueueDepth})")}   entries {details.FirstEntryId ?? "-"} .. {details.LastEntryId ?? "-"}");
        if (s.InRedrive > 0)
        {
            context.Out($"  ! {s.InRedrive} message(s) in the middle of an interrupted redrive out of this queue; 'redrive --error-queue {Safe.Text(s.Queue)} --resume-only' completes them");
        }

        if (details.Groups.Count == 0)
        {
            context.Out("  no consumer group yet: nothing has received from this queue");
            return;
        }

        foreach (var group in details.Groups)
        {
            context.Out();
            context.Out($"Group {Safe.Text(group.Name)}: pending {group.Pending}, waiting {Formats.Number(group.Waiting)}, last delivered {group.LastDeliveredId}, oldest pending {group.OldestPendingId ?? "-"} ({Formats.Age(group.OldestPendingAge)})");
            if (group.Consumers.Count == 0)
            {
                context.Out("  no consumers");
                continue;
            }

            var table = new TextTable(("  CONSUMER", false), ("PENDING", true), ("IDLE", true));
            foreach (var consumer in group.Consumers)
            {
                table.Add("  " + consumer.Name, Formats.Number(consumer.Pending), Formats.Age(consumer.Idle));
            }

            foreach (var line in table.Lines())
            {
                context.Out(line);
            }
        }
    }
}
