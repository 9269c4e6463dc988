namespace RedisStreams.Cli.Tests;

/// <summary>purge and delete: confirmed, refused without a terminal, and doing exactly what they say.</summary>
public sealed class DestructiveCommandTests
{
    [Fact]
    public async Task Purge_and_delete_refuse_without_a_terminal_and_without_yes()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("precious", "p");

        foreach (var args in new[] { new[] { "purge", "precious" }, ["purge", "precious", "--dead-letters"], ["delete", "precious"] })
        {
            var refused = await cli.RunAsync(args);
            Assert.True(refused.ExitCode == 7, refused.ToString());
            Assert.Contains("--yes", refused.Error, StringComparison.Ordinal);
        }

        Assert.Equal(1, (await cli.Client.GetQueueSummariesAsync(["precious"]))[0].Length);
    }

    [Fact]
    public async Task Purge_asks_and_does_nothing_unless_the_answer_is_yes()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("asked", "a");

        var declined = await cli.RunWithAsync("n", ["purge", "asked"]);
        Assert.Equal(7, declined.ExitCode);
        Assert.Contains("Purge queue 'asked'", declined.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await cli.Client.GetQueueSummariesAsync(["asked"]))[0].Length);

        var confirmed = await cli.RunWithAsync("y", ["purge", "asked"]);
        Assert.Equal(0, confirmed.ExitCode);
        Assert.Contains("1 message(s)", confirmed.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await cli.Client.GetQueueSummariesAsync(["asked"]))[0].Length);
    }

    [Fact]
    public async Task Purge_with_yes_empties_the_queue_or_its_dead_letters()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("full", "f0");
        await cli.SendAsync("full", "f1");
        await using (var receiver = cli.Client.CreateReceiver("full"))
        {
            await receiver.StartAsync();
            await receiver.DeadLetterAsync((await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)))!, "bad");
        }

        Assert.Equal(0, (await cli.RunAsync("purge", "full", "--yes")).ExitCode);
        var afterPurge = (await cli.Client.GetQueueSummariesAsync(["full"]))[0];
        Assert.Equal(0, afterPurge.Length);
        Assert.Equal(1, afterPurge.DeadLettered);

        Assert.Equal(0, (await cli.RunAsync("purge", "full", "--dead-letters", "--yes")).ExitCode);
        Assert.Equal(0, (await cli.Client.GetQueueSummariesAsync(["full"]))[0].DeadLettered);
    }

    [Fact]
    public async Task Delete_removes_the_queue_and_its_subscriptions()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.Client.Subscriptions.SubscribeAsync("OrderSubmitted", "gone");
        await cli.SendAsync("gone", "g");

        var deleted = await cli.RunWithAsync("yes", ["delete", "gone"]);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("1 subscription(s)", deleted.Error, StringComparison.Ordinal);
        Assert.Contains("unsubscribed from OrderSubmitted", deleted.Out, StringComparison.Ordinal);
        Assert.Empty(await cli.Client.ListQueueNamesAsync());
        Assert.Empty(await cli.Client.Subscriptions.ListTopicsAsync());
    }
}
