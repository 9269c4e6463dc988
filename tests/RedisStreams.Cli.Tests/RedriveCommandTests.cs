using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Rebus.Activation;
using Rebus.Config;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Tests;

/// <summary>redrive from each kind of source, with failures produced by the real adapters.</summary>
public sealed class RedriveCommandTests
{
    [Fact]
    public async Task Dead_letters_go_back_by_id_and_all_after_a_dry_run()
    {
        await using var cli = await CliHarness.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await cli.SendAsync("work", $"w{i}");
        }

        await using (var receiver = cli.Client.CreateReceiver("work"))
        {
            await receiver.StartAsync();
            for (var i = 0; i < 3; i++)
            {
                await receiver.DeadLetterAsync((await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)))!, "crash loop");
            }
        }

        var dry = await cli.RunAsync("redrive", "--dead-letters", "work", "--all", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Would move 3 message(s) from work (dead letters)", dry.Out, StringComparison.Ordinal);
        Assert.Equal(3, (await cli.Client.GetQueueSummariesAsync(["work"]))[0].DeadLettered);

        var first = (await cli.Client.PeekAsync("work", deadLetters: true)).Messages[0].EntryId;
        var byId = await cli.RunAsync("redrive", "--dead-letters", "work", "--id", first, "--id", "1-1", "--json");
        Assert.Equal(8, byId.ExitCode);
        var report = JsonDocument.Parse(byId.Out).RootElement;
        Assert.Equal(1, report.GetProperty("moved").GetInt64());
        Assert.Equal(1, report.GetProperty("notFound").GetInt64());
        var missing = Assert.Single(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("outcome").GetString() == "notFound");
        Assert.Equal("1-1", missing.GetProperty("entryId").GetString());

        var rest = await cli.RunAsync("redrive", "--dead-letters", "work", "--all");
        Assert.Equal(0, rest.ExitCode);
        Assert.Contains("Moved 2 message(s)", rest.Out, StringComparison.Ordinal);
        var summary = (await cli.Client.GetQueueSummariesAsync(["work"]))[0];
        Assert.Equal(0, summary.DeadLettered);
        Assert.Equal(3, summary.Length);
        Assert.All((await cli.Client.PeekAsync("work")).Messages, m => Assert.Empty(m.TransportFields));
    }

    [Fact]
    public async Task A_MassTransit_error_queue_message_goes_back_to_its_endpoint_and_is_consumed()
    {
        await using var cli = await CliHarness.StartAsync();
        FlakyConsumer.Reset(failing: true);
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumer<FlakyConsumer>();
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host(cli.Redis.ConnectionString);
                cfg.KeyPrefix = cli.Prefix;
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            var id = Guid.NewGuid();
            await (await bus.GetSendEndpoint(new Uri("queue:flaky"))).Send(new FlakyMessage(id));
            await CliHarness.EventuallyAsync(async () => (await cli.Client.GetQueueSummariesAsync(["flaky_error"]))[0].Length == 1, "MassTransit moved the message to flaky_error");
            var failed = Assert.Single((await cli.Client.PeekAsync("flaky_error")).Messages);
            Assert.Equal("fault", failed.Headers["MT-Reason"]);
            Assert.EndsWith($"/{cli.Prefix}/flaky", failed.Headers["MT-Fault-InputAddress"], StringComparison.Ordinal);

            var listed = await cli.RunAsync("queues");
            Assert.Contains(listed.Out.Split('\n'), l => l.StartsWith("flaky ", StringComparison.Ordinal) && l.Contains("flaky_error (1)", StringComparison.Ordinal));

            var dry = await cli.RunAsync("redrive", "--error-queue", "flaky_error", "--all", "--dry-run", "--json");
            Assert.Equal(0, dry.ExitCode);
            Assert.Equal(1, JsonDocument.Parse(dry.Out).RootElement.GetProperty("movedTo").GetProperty("flaky").GetInt64());

            FlakyConsumer.Reset(failing: false);
            var moved = await cli.RunAsync("redrive", "--error-queue", "flaky_error", "--all");
            Assert.True(moved.ExitCode == 0, moved.ToString());
            Assert.Contains("flaky", moved.Out, StringComparison.Ordinal);

            await CliHarness.EventuallyAsync(() => Task.FromResult(FlakyConsumer.Consumed.Contains(id)), "the redriven message was consumed");
            Assert.False(FlakyConsumer.SawFaultHeaders, "the fault headers should have been stripped");
            Assert.Equal(0, (await cli.Client.GetQueueSummariesAsync(["flaky_error"]))[0].Length);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task A_Rebus_error_queue_message_goes_back_to_its_source_queue_and_is_handled()
    {
        await using var cli = await CliHarness.StartAsync();
        var failing = true;
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var activator = new BuiltinHandlerActivator();
        activator.Handle<string>(async (bus, context, message) =>
        {
            await Task.Yield();
            if (Volatile.Read(ref failing))
            {
                throw new InvalidOperationException("failing on purpose");
            }

            handled.TrySetResult(message + (context.Headers.ContainsKey("rbs2-error-details") ? " with fault headers" : string.Empty));
        });
        var bus = Configure.With(activator)
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreams(cli.Redis.ConnectionString, "rebus-orders").KeyPrefix(cli.Prefix))
            .Start();

        await bus.SendLocal("hello");
        await CliHarness.EventuallyAsync(async () => (await cli.Client.GetQueueSummariesAsync(["error"]))[0].Length == 1, "Rebus moved the message to its error queue");
        var failed = Assert.Single((await cli.Client.PeekAsync("error")).Messages);
        Assert.Equal("rebus-orders", failed.Headers["rbs2-source-queue"]);

        var listed = JsonDocument.Parse((await cli.RunAsync("queues", "--json")).Out).RootElement.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "rebus-orders");
        Assert.Equal("error", listed.GetProperty("errorQueue").GetString());
        Assert.Equal(1, listed.GetProperty("errorQueueDepth").GetInt64());

        Volatile.Write(ref failing, false);
        var moved = await cli.RunAsync("redrive", "--error-queue", "error", "--count", "1");
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Equal("hello", await handled.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, (await cli.Client.GetQueueSummariesAsync(["error"]))[0].Length);
    }

    [Fact]
    public async Task Messages_without_a_destination_stay_and_the_exit_code_says_so()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("error", "orphan", new() { ["rbs2-error-details"] = "boom" });

        var left = await cli.RunAsync("redrive", "--error-queue", "error", "--all");
        Assert.Equal(8, left.ExitCode);
        Assert.Contains("Left 1 message(s)", left.Out, StringComparison.Ordinal);
        Assert.Contains("rbs2-source-queue", left.Out, StringComparison.Ordinal);

        var aimed = await cli.RunAsync("redrive", "--error-queue", "error", "--all", "--to", "triage", "--keep-fault-headers");
        Assert.Equal(0, aimed.ExitCode);
        Assert.Equal("boom", Assert.Single((await cli.Client.PeekAsync("triage")).Messages).Headers["rbs2-error-details"]);
    }

    [Fact]
    public async Task Redrive_needs_one_source_and_one_selection()
    {
        await using var cli = await CliHarness.StartAsync();
        Assert.Equal(2, (await cli.RunAsync("redrive", "--all")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("redrive", "--dead-letters", "a", "--error-queue", "b", "--all")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("redrive", "--dead-letters", "a")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("redrive", "--dead-letters", "a", "--all", "--count", "2")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("redrive", "--dead-letters", "a", "--id", "not-an-id")).ExitCode);
    }
}

public sealed record FlakyMessage(Guid Id);

public sealed class FlakyConsumer : IConsumer<FlakyMessage>
{
    static volatile bool _failing;

    public static System.Collections.Concurrent.ConcurrentBag<Guid> Consumed { get; private set; } = [];

    public static bool SawFaultHeaders { get; private set; }

    public static void Reset(bool failing)
    {
        _failing = failing;
        if (failing)
        {
            Consumed = [];
            SawFaultHeaders = false;
        }
    }

    public Task Consume(ConsumeContext<FlakyMessage> context)
    {
        if (_failing)
        {
            throw new InvalidOperationException("failing on purpose");
        }

        SawFaultHeaders |= context.Headers.TryGetHeader("MT-Reason", out _);
        Consumed.Add(context.Message.Id);
        return Task.CompletedTask;
    }
}
