using System.CommandLine;
using RedisStreams.Cli.Output;

namespace RedisStreams.Cli.Commands;

/// <summary><c>purge QUEUE</c>: removes a queue's messages (or its dead letters), after confirmation.</summary>
internal static class PurgeCommand
{
    public static Command Create(ActionBinder bind)
    {
        var queue = new Argument<string>("queue") { Description = "The queue." };
        var deadLetters = new Option<bool>("--dead-letters") { Description = "Empty the queue's dead-letter stream instead of the queue." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (needed when standard input is not a terminal)." };
        var command = new Command("purge", "Remove every message of a queue (pending and scheduled ones too; consumer groups stay, so running consumers carry on), or with --dead-letters every dead letter. Asks first.")
        {
            queue, deadLetters, yes,
        };
        command.SetAction(bind(async (parsed, context, _) =>
        {
            var client = await context.ClientAsync().ConfigureAwait(false);
            var name = parsed.GetValue(queue)!;
            var details = await client.GetQueueDetailsAsync(name).ConfigureAwait(false);
            var s = details.Summary;
            if (parsed.GetValue(deadLetters))
            {
                await Confirmation.RequireAsync(context, $"Purge the dead letters of queue '{Safe.Text(name)}' (prefix {context.Prefix}): {s.DeadLettered} entries will be deleted", parsed.GetValue(yes)).ConfigureAwait(false);
                var removed = await client.PurgeDeadLettersAsync(name).ConfigureAwait(false);
                context.Out($"Purged the dead letters of {Safe.Text(name)}: {removed} removed.");
                return ExitCodes.Ok;
            }

            await Confirmation.RequireAsync(context, $"Purge queue '{Safe.Text(name)}' (prefix {context.Prefix}): {s.Length} message(s), {s.Pending} of them being processed, and {s.Delayed} scheduled will be deleted; its {s.DeadLettered} dead letter(s) stay", parsed.GetValue(yes)).ConfigureAwait(false);
            var purged = await client.PurgeQueueAsync(name, mustExist: true).ConfigureAwait(false);
            context.Out($"Purged {Safe.Text(name)}: {purged} message(s) and {s.Delayed} scheduled removed.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
