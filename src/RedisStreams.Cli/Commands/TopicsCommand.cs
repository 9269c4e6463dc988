using System.CommandLine;
using RedisStreams.Cli.Output;

namespace RedisStreams.Cli.Commands;

/// <summary><c>topics</c>: who receives what is published: topic to queues, topic to topics.</summary>
internal static class TopicsCommand
{
    public static Command Create(ActionBinder bind)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts." };
        var command = new Command("topics", "List every topic with the queues subscribed to it and the topics it links to (a publish reaches those topics' queues too).")
        {
            json,
        };
        command.SetAction(bind(async (parsed, context, _) =>
        {
            var client = await context.ClientAsync().ConfigureAwait(false);
            var topics = await client.Subscriptions.ListTopicsAsync().ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                context.Out(Json.Write(topics.Select(t => new { topic = t.Topic, queues = t.Queues, linkedTopics = t.LinkedTopics })));
                return ExitCodes.Ok;
            }

            if (topics.Count == 0)
            {
                context.Out($"No topics under the key prefix '{context.Prefix}'.");
                return ExitCodes.Ok;
            }

            var table = new TextTable(("TOPIC", false), ("QUEUES", false), ("LINKED TOPICS", false));
            foreach (var topic in topics)
            {
                table.Add(topic.Topic, topic.Queues.Count == 0 ? "-" : string.Join(", ", topic.Queues), topic.LinkedTopics.Count == 0 ? "-" : string.Join(", ", topic.LinkedTopics));
            }

            foreach (var line in table.Lines())
            {
                context.Out(line);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
