using System.Text;
using System.Text.Json;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Tests;

/// <summary>queues, show, peek and topics against a real Redis.</summary>
public sealed class InspectionCommandTests
{
    [Fact]
    public async Task Queues_lists_every_queue_with_its_numbers_sorted_by_any_column_and_as_json()
    {
        await using var cli = await CliHarness.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await cli.SendAsync("orders", $"o{i}");
        }

        await cli.SendAsync("billing", "b0");
        await cli.SendAsync("orders_error", "failed", new() { ["MT-Reason"] = "fault" });
        await cli.Client.SendAsync("billing", new OutgoingMessage(new Dictionary<string, string>(), new byte[] { 1 }) { Delay = TimeSpan.FromHours(1) });

        var table = await cli.RunAsync("queues");
        Assert.Equal(0, table.ExitCode);
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("QUEUE", lines[0], StringComparison.Ordinal);
        Assert.Equal(["billing", "orders", "orders_error"], lines.Skip(1).Select(l => l.Split(' ')[0]));
        Assert.Contains("orders_error (1)", lines[2], StringComparison.Ordinal);

        var byDepth = await cli.RunAsync("queues", "--sort", "depth");
        Assert.Equal(["orders", "billing", "orders_error"], byDepth.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ')[0]));
        var ascending = await cli.RunAsync("queues", "--sort", "delayed", "--ascending");
        Assert.Equal("billing", ascending.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(' ')[0]);

        var json = await cli.RunAsync("queues", "--json");
        Assert.Equal(0, json.ExitCode);
        var queues = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().ToList();
        Assert.Equal(["billing", "orders", "orders_error"], queues.Select(q => q.GetProperty("queue").GetString()));
        var orders = queues[1];
        Assert.Equal(3, orders.GetProperty("depth").GetInt64());
        Assert.Equal("orders_error", orders.GetProperty("errorQueue").GetString());
        Assert.Equal(1, orders.GetProperty("errorQueueDepth").GetInt64());
        Assert.Equal(1, queues[0].GetProperty("delayed").GetInt64());

        var unknownColumn = await cli.RunAsync("queues", "--sort", "colour");
        Assert.Equal(2, unknownColumn.ExitCode);
    }

    [Fact]
    public async Task Queues_watch_refreshes_the_given_number_of_times()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("watched", "w");
        var result = await cli.RunAsync("queues", "--watch", "--interval", "0.2", "--times", "3", "--json");
        Assert.Equal(0, result.ExitCode);
        var documents = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, documents.Length);
        Assert.All(documents, d => Assert.Equal("watched", JsonDocument.Parse(d).RootElement[0].GetProperty("queue").GetString()));
    }

    [Fact]
    public async Task Show_prints_groups_and_consumers_with_what_each_holds()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("shown", "s0");
        await cli.SendAsync("shown", "s1");
        await using var receiver = cli.Client.CreateReceiver("shown", prefetchCount: 1);
        await receiver.StartAsync();
        Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)));

        var text = await cli.RunAsync("show", "shown");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("Group shown: pending 1", text.Out, StringComparison.Ordinal);
        Assert.Contains(receiver.ConsumerName, text.Out, StringComparison.Ordinal);

        var json = JsonDocument.Parse((await cli.RunAsync("show", "shown", "--json")).Out).RootElement;
        Assert.Equal(2, json.GetProperty("summary").GetProperty("length").GetInt64());
        var consumer = json.GetProperty("groups")[0].GetProperty("consumers")[0];
        Assert.Equal(receiver.ConsumerName, consumer.GetProperty("name").GetString());
        Assert.Equal(1, consumer.GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task Peek_shows_headers_and_bodies_safely_and_takes_nothing()
    {
        await using var cli = await CliHarness.StartAsync();
        byte[] binary = [0x00, 0x1B, 0x5B, 0x32, 0x4A, 0xFF];
        await cli.Client.SendAsync("peeked", new OutgoingMessage(new Dictionary<string, string> { ["id"] = "binary", ["evil"] = "\u001b[2Jcleared" }, binary));
        await cli.SendAsync("peeked", "text", body: "{\"orderId\":42}\u001b[31m");
        await cli.SendAsync("peeked", "third");

        var page = await cli.RunAsync("peek", "peeked", "--count", "2");
        Assert.Equal(0, page.ExitCode);
        Assert.DoesNotContain('\u001b', page.All);
        Assert.DoesNotContain('\0', page.All);
        Assert.Contains("body (6 bytes, binary, hex): 00 1b 5b 32 4a ff", page.Out, StringComparison.Ordinal);
        Assert.Contains("evil: \\u001B[2Jcleared", page.Out, StringComparison.Ordinal);
        Assert.Contains("text): {\"orderId\":42}\\u001B[31m", page.Out, StringComparison.Ordinal);
        Assert.Contains("--after", page.Out, StringComparison.Ordinal);

        var json = JsonDocument.Parse((await cli.RunAsync("peek", "peeked", "--json", "--count", "5")).Out).RootElement;
        var messages = json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(3, messages.Count);
        Assert.Equal(binary, Convert.FromBase64String(messages[0].GetProperty("bodyBase64").GetString()!));
        Assert.Equal(JsonValueKind.Null, messages[0].GetProperty("bodyText").ValueKind);
        Assert.Equal("{\"orderId\":42}\u001b[31m", messages[1].GetProperty("bodyText").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("nextAfter").ValueKind);

        var next = await cli.RunAsync("peek", "peeked", "--after", messages[1].GetProperty("entryId").GetString()!);
        Assert.Contains("id: third", next.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("id: text", next.Out, StringComparison.Ordinal);
        Assert.Equal(3, (await cli.Client.GetQueueSummariesAsync(["peeked"]))[0].Length);
    }

    [Fact]
    public async Task Peek_reads_dead_letters_with_their_reason()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("crashy", "poison");
        await using var receiver = cli.Client.CreateReceiver("crashy");
        await receiver.StartAsync();
        await receiver.DeadLetterAsync((await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)))!, "handler kept crashing");

        var result = await cli.RunAsync("peek", "crashy", "--dead-letters");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("[dead-letter-reason] handler kept crashing", result.Out, StringComparison.Ordinal);
        Assert.Contains("id: poison", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Topics_lists_queues_and_linked_topics()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.Client.Subscriptions.SubscribeAsync("OrderSubmitted", "billing");
        await cli.Client.Subscriptions.SubscribeAsync("IEvent", "audit");
        await cli.Client.Subscriptions.LinkTopicsAsync("OrderSubmitted", "IEvent");

        var text = await cli.RunAsync("topics");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains(text.Out.Split('\n'), l => l.StartsWith("OrderSubmitted", StringComparison.Ordinal) && l.Contains("billing", StringComparison.Ordinal) && l.EndsWith("IEvent", StringComparison.Ordinal));

        var json = JsonDocument.Parse((await cli.RunAsync("topics", "--json")).Out).RootElement.EnumerateArray().ToList();
        Assert.Equal(["IEvent", "OrderSubmitted"], json.Select(t => t.GetProperty("topic").GetString()));
        Assert.Equal("IEvent", json[1].GetProperty("linkedTopics")[0].GetString());
        Assert.Equal("audit", json[0].GetProperty("queues")[0].GetString());
    }

    [Fact]
    public async Task An_unknown_queue_is_a_clear_error_for_every_command()
    {
        await using var cli = await CliHarness.StartAsync();
        foreach (var args in new[]
        {
            new[] { "show", "nope" },
            ["peek", "nope"],
            ["purge", "nope", "--yes"],
            ["delete", "nope", "--yes"],
            ["redrive", "--dead-letters", "nope", "--all"],
            ["redrive", "--error-queue", "nope_error", "--all"],
        })
        {
            var result = await cli.RunAsync(args);
            Assert.True(result.ExitCode == 6, $"{string.Join(' ', args)}: {result}");
            Assert.Contains("No queue named 'nope", result.Error, StringComparison.Ordinal);
            Assert.Contains(cli.Prefix, result.Error, StringComparison.Ordinal);
        }

        Assert.Empty(await cli.Client.ListQueueNamesAsync());
    }

    [Fact]
    public async Task Connection_and_prefix_come_from_options_before_the_environment()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("optioned", "o");
        var environment = new Dictionary<string, string> { ["REDIS_STREAMS_CONNECTION"] = "localhost:1", ["REDIS_STREAMS_PREFIX"] = "elsewhere" };
        var result = await cli.RunWithAsync(null, ["queues", "--connection", cli.Redis.ConnectionString, "--prefix", cli.Prefix, "--json"], environment);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("optioned", JsonDocument.Parse(result.Out).RootElement[0].GetProperty("queue").GetString());

        var fromEnvironment = await cli.RunWithAsync(null, ["queues"], environment);
        Assert.Equal(3, fromEnvironment.ExitCode);
        Assert.Contains("localhost:1", fromEnvironment.Error, StringComparison.Ordinal);
    }
}
