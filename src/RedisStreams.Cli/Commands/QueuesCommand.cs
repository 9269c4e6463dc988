using System.CommandLine;
using RedisStreams.Cli.Output;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Commands;

/// <summary><c>queues</c>: every queue under the prefix with its numbers; sortable, as JSON, or refreshing.</summary>
internal static class QueuesCommand
{
    /// <summary>The sortable columns, as <c>--sort</c> takes them, with how each sorts.</summary>
    static readonly Dictionary<string, Func<QueueSummary, IComparable?>> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["queue"] = q => q.Queue,
        ["depth"] = q => q.Depth,
        ["waiting"] = q => q.Waiting,
        ["pending"] = q => q.Pending,
        ["oldest"] = q => q.OldestPendingAge,
        ["consumers"] = q => q.Consumers,
        ["delayed"] = q => q.Delayed,
        ["dead-letters"] = q => q.DeadLettered,
        ["errors"] = q => q.ErrorQueueDepth,
        ["length"] = q => q.Length,
    };

    public static Command Create(ActionBinder bind)
    {
        var sort = new Option<string>("--sort", "-s")
        {
            Description = "Sort by a column: " + string.Join(", ", Columns.Keys) + ". Names sort A to Z, numbers largest first.",
            DefaultValueFactory = _ => "queue",
        };
        sort.AcceptOnlyFromAmong([.. Columns.Keys]);
        var ascending = new Option<bool>("--ascending") { Description = "Smallest first, whatever the column." };
        var descending = new Option<bool>("--descending") { Description = "Largest (or Z) first, whatever the column." };
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts (one document per refresh with --watch)." };
        var watch = new Option<bool>("--watch", "-w") { Description = "Refresh until Ctrl+C." };
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between refreshes with --watch.",
            DefaultValueFactory = _ => 2,
        };
        var times = new Option<int>("--times") { Description = "Stop after this many refreshes with --watch (0: until Ctrl+C)." };

        var command = new Command("queues", "List every queue under the key prefix: depth, waiting (lag), pending, oldest pending age (on Redis's clock), consumers, scheduled, dead letters, and the matching error queue.")
        {
            sort, ascending, descending, json, watch, interval, times,
        };
        command.SetAction(bind(async (parsed, context, cancellationToken) =>
        {
            var column = parsed.GetValue(sort)!;
            var largestFirst = parsed.GetValue(descending) || (!parsed.GetValue(ascending) && !column.Equals("queue", StringComparison.OrdinalIgnoreCase));
            var seconds = parsed.GetValue(interval);
            if (seconds is < 0.1 or > 86_400)
            {
                throw new CliException(ExitCodes.Usage, "--interval must be between 0.1 and 86400 seconds.");
            }

            var client = await context.ClientAsync().ConfigureAwait(false);
            var refreshes = 0;
            while (true)
            {
                var queues = Sort(await client.ListQueuesAsync(cancellationToken).ConfigureAwait(false), column, largestFirst);
                if (parsed.GetValue(watch) && context.Console.OutputIsTerminal && !parsed.GetValue(json))
                {
                    context.Console.Out.Write("\u001b[H\u001b[2J");
                }

                if (parsed.GetValue(json))
                {
                    context.Out(Json.Write(queues.Select(ToJson), indented: !parsed.GetValue(watch)));
                }
                else
                {
                    if (parsed.GetValue(watch))
                    {
                        context.Out($"{Formats.Time(DateTimeOffset.UtcNow)}  Redis {context.Endpoints}  prefix {context.Prefix}  (every {seconds}s, Ctrl+C to stop)");
                    }

                    Print(context, queues);
                }

                refreshes++;
                var limit = parsed.GetValue(times);
                if (!parsed.GetValue(watch) || (limit > 0 && refreshes >= limit))
                {
                    return ExitCodes.Ok;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return ExitCodes.Ok;
                }
            }
        }));
        return command;
    }

    static List<QueueSummary> Sort(IReadOnlyList<QueueSummary> queues, string column, bool largestFirst)
    {
        var key = Columns[column];
        var byName = queues.OrderBy(q => q.Queue, StringComparer.Ordinal);
        var sorted = largestFirst
            ? queues.OrderByDescending(key, Comparer<IComparable?>.Default).ThenBy(q => q.Queue, StringComparer.Ordinal)
            : queues.OrderBy(key, Comparer<IComparable?>.Default).ThenBy(q => q.Queue, StringComparer.Ordinal);
        return [.. column.Equals("queue", StringComparison.OrdinalIgnoreCase) ? (largestFirst ? byName.Reverse() : byName) : sorted];
    }

    static void Print(CliContext context, IReadOnlyList<QueueSummary> queues)
    {
        if (queues.Count == 0)
        {
            context.Out($"No queues under the key prefix '{context.Prefix}' at {context.Endpoints}. (Another prefix? --prefix or ${CliContext.PrefixVariable}.)");
            return;
        }

        var table = new TextTable(("QUEUE", false), ("DEPTH", true), ("WAITING", true), ("PENDING", true), ("OLDEST", true), ("CONSUMERS", true), ("DELAYED", true), ("DEAD", true), ("ERROR QUEUE", false));
        foreach (var q in queues)
        {
            table.Add(
                q.Queue,
                Formats.Number(q.Depth),
                Formats.Number(q.Waiting),
                Formats.Number(q.Pending),
                Formats.Age(q.OldestPendingAge),
                Formats.Number(q.Consumers),
                Formats.Number(q.Delayed),
                Formats.Number(q.DeadLettered),
                q.ErrorQueue is null ? "-" : $"{q.ErrorQueue} ({q.ErrorQueueDepth})");
        }

        foreach (var line in table.Lines())
        {
            context.Out(line);
        }

        var moving = queues.Where(q => q.InRedrive > 0).ToList();
        foreach (var q in moving)
        {
            context.Out($"! {Safe.Text(q.Queue)}: {q.InRedrive} message(s) in the middle of an interrupted redrive; 'redrive --error-queue {Safe.Text(q.Queue)} --resume-only' completes them.");
        }
    }

    internal static object ToJson(QueueSummary q) => new
    {
        queue = q.Queue,
        depth = q.Depth,
        length = q.Length,
        waiting = q.Waiting,
        pending = q.Pending,
        oldestPendingSeconds = Json.Seconds(q.OldestPendingAge),
        groups = q.Groups,
        consumers = q.Consumers,
        delayed = q.Delayed,
        deadLetters = q.DeadLettered,
        inRedrive = q.InRedrive,
        errorQueue = q.ErrorQueue,
        errorQueueDepth = q.ErrorQueueDepth,
    };
}
