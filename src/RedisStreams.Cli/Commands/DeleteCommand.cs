using System.CommandLine;
using RedisStreams.Cli.Output;

namespace RedisStreams.Cli.Commands;

/// <summary><c>delete QUEUE</c>: deletes a queue with everything it owns and its subscriptions, after confirmation.</summary>
internal static class DeleteCommand
{
    public static Command Create(ActionBinder bind)
    {
        var queue = new Argument<string>("queue") { Description = "The queue." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (needed when standard input is not a terminal)." };
        var command = new Command("delete", "Delete a queue: its messages, consumer groups, scheduled messages, dead letters, and its subscriptions to topics. Asks first. A running application creates it again.")
        {
            queue, yes,
        };
        command.SetAction(bind(async (parsed, context, _) =>
        {
            var client = await context.ClientAsync().ConfigureAwait(false);
            var name = parsed.GetValue(queue)!;
            var s = (await client.GetQueueDetailsAsync(name).ConfigureAwait(false)).Summary;
            var topics = (await client.Subscriptions.ListTopicsAsync().ConfigureAwait(false)).Where(t => t.Queues.Contains(name, StringComparer.Ordinal)).Select(t => t.Topic).ToList();
            await Confirmation.RequireAsync(
                context,
                $"Delete queue '{Safe.Text(name)}' (prefix {context.Prefix}): {s.Length} message(s), {s.Delayed} scheduled, {s.DeadLettered} dead letter(s), {s.Groups} consumer group(s) and {topics.Count} subscription(s) will be deleted",
                parsed.GetValue(yes)).ConfigureAwait(false);
            var removal = await client.RemoveQueueAsync(name).ConfigureAwait(false);
            context.Out($"Deleted {Safe.Text(name)}: {removal.Messages} message(s), {removal.Scheduled} scheduled, {removal.DeadLetters} dead letter(s); unsubscribed from {(removal.UnsubscribedTopics.Count == 0 ? "no topic" : string.Join(", ", removal.UnsubscribedTopics.Select(Safe.Text)))}.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
