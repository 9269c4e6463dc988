using System.CommandLine;
using RedisStreams.Cli.Output;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Commands;

/// <summary><c>peek QUEUE</c>: the oldest entries of a queue or its dead letters, headers and a safe body preview, without taking them.</summary>
internal static class PeekCommand
{
    public static Command Create(ActionBinder bind)
    {
        var queue = new Argument<string>("queue") { Description = "The queue." };
        var count = new Option<int>("--count", "-n") { Description = "How many entries (1 to 1000).", DefaultValueFactory = _ => 10 };
        var after = new Option<string?>("--after") { Description = "Start after this entry id (the next page)." };
        var deadLetters = new Option<bool>("--dead-letters") { Description = "Read the queue's dead-letter stream instead." };
        var bodyBytes = new Option<int>("--body-bytes") { Description = "How many bytes of each body to show.", DefaultValueFactory = _ => 256 };
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts, bodies in base64 (and as text when they are UTF-8)." };
        var command = new Command("peek", "Show the oldest entries of a queue (or of its dead letters) with headers and a body preview, without taking them: nothing is delivered or acknowledged.")
        {
            queue, count, after, deadLetters, bodyBytes, json,
        };
        command.SetAction(bind(async (parsed, context, _) =>
        {
            var client = await context.ClientAsync().ConfigureAwait(false);
            var name = parsed.GetValue(queue)!;
            var page = await client.PeekAsync(name, parsed.GetValue(count), parsed.GetValue(after), parsed.GetValue(deadLetters)).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                context.Out(Json.Write(new
                {
                    queue = name,
                    deadLetters = parsed.GetValue(deadLetters),
                    messages = page.Messages.Select(m => new
                    {
                        entryId = m.EntryId,
                        enqueuedAt = m.EnqueuedAt,
                        headers = m.Headers,
                        transportFields = m.TransportFields,
                        bodyLength = m.Body.Length,
                        bodyBase64 = Convert.ToBase64String(m.Body.Span),
                        bodyText = m.BodyText,
                        problem = m.Problem,
                    }),
                    nextAfter = page.NextAfter,
                }));
                return ExitCodes.Ok;
            }

            Print(context, name, parsed.GetValue(deadLetters), page, Math.Max(0, parsed.GetValue(bodyBytes)));
            return ExitCodes.Ok;
        }));
        return command;
    }

    static void Print(CliContext context, string queue, bool deadLetters, MessagePage page, int bodyBytes)
    {
        if (page.Messages.Count == 0)
        {
            context.Out(deadLetters ? $"The dead-letter stream of {Safe.Text(queue)} is empty." : $"{Safe.Text(queue)} is empty.");
            return;
        }

        foreach (var message in page.Messages)
        {
            context.Out($"{message.EntryId}  {Formats.Time(message.EnqueuedAt)}");
            foreach (var (name, value) in message.TransportFields.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                context.Out($"  [{Safe.Text(name)}] {Safe.Text(value)}");
            }

            foreach (var (name, value) in message.Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
            {
                context.Out($"  {Safe.Text(name)}: {Safe.Text(Shorten(value))}");
            }

            context.Out("  " + BodyPreview.Describe(message, bodyBytes));
            if (message.Problem is not null)
            {
                context.Out($"  ! not a well-formed message: {Safe.Text(message.Problem)}");
            }

            context.Out();
        }

        if (page.NextAfter is not null)
        {
            context.Out($"More: redis-streams peek {Quote(queue)}{(deadLetters ? " --dead-letters" : string.Empty)} --after {page.NextAfter}");
        }
    }

    /// <summary>Long header values (MassTransit's stack traces) are cut for the screen; --json has them whole.</summary>
    static string Shorten(string value) => value.Length <= 300 ? value : value[..300] + $" ... ({value.Length - 300} more characters; --json shows all)";

    static string Quote(string queue) => queue.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or '/') ? queue : "'" + Safe.Text(queue).Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
