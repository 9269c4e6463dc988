using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Tests;

public record TracedMessage(Guid Id);

public class TracedConsumer : IConsumer<TracedMessage>
{
    public static ConcurrentDictionary<Guid, ActivityTraceId> Traces { get; } = new();

    public Task Consume(ConsumeContext<TracedMessage> context)
    {
        Traces[context.Message.Id] = Activity.Current?.TraceId ?? default;
        return Task.CompletedTask;
    }
}

/// <summary>
/// The engine's spans and logs inside a MassTransit application (issue 11): one trace from the sender through the
/// engine's send, receive and settle spans to the consumer, and the engine's log lines in the application's logging.
/// </summary>
public sealed class ObservabilitySpecs
{
    const string ApplicationSource = "RedisStreams.MassTransit.Tests.Application";
    static readonly ActivitySource Application = new(ApplicationSource);

    [Fact]
    public async Task Sent_and_published_messages_are_one_trace_from_the_sender_through_the_engine_to_the_consumer()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MassTransit" or RedisStreamsDiagnostics.ActivitySourceName or ApplicationSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var fixture = await BusFixture.StartAsync(x => x.AddConsumer<TracedConsumer>().Endpoint(e => e.Name = "traced-orders"));

        var sent = Guid.NewGuid();
        var published = Guid.NewGuid();
        ActivityTraceId sendTrace, publishTrace;
        using (var root = Application.StartActivity("checkout"))
        {
            sendTrace = root!.TraceId;
            var endpoint = await fixture.Bus.GetSendEndpoint(new Uri("queue:traced-orders"));
            await endpoint.Send(new TracedMessage(sent));
        }

        using (var root = Application.StartActivity("announce"))
        {
            publishTrace = root!.TraceId;
            await fixture.Bus.Publish(new TracedMessage(published));
        }

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(TracedConsumer.Traces.ContainsKey(sent) && TracedConsumer.Traces.ContainsKey(published))), "both consumed");
        Assert.Equal(sendTrace, TracedConsumer.Traces[sent]);
        Assert.Equal(publishTrace, TracedConsumer.Traces[published]);

        foreach (var (trace, producer) in new[] { (sendTrace, "send traced-orders"), (publishTrace, "publish ") })
        {
            bool Has(string name, ActivityKind kind) => spans.Any(s => s.TraceId == trace && s.Source.Name == RedisStreamsDiagnostics.ActivitySourceName && s.DisplayName.StartsWith(name, StringComparison.Ordinal) && s.Kind == kind);
            Assert.True(
                await BusFixture.EventuallyAsync(() => Task.FromResult(Has(producer, ActivityKind.Producer) && Has("receive traced-orders", ActivityKind.Consumer) && Has("ack traced-orders", ActivityKind.Client))),
                $"engine spans of trace {trace}: " + string.Join(", ", spans.Where(s => s.TraceId == trace).Select(s => $"{s.Source.Name}:{s.DisplayName}")));
        }
    }

    [Fact]
    public async Task The_engines_log_lines_reach_the_applications_logging()
    {
        var logs = new CapturingProvider();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var port = FreePorts.Next();
        using var server = await RedisServerProcess.StartAsync(port);
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.AddConsumer<PingConsumer>().Endpoint(e => e.Name = "logged-ping");
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host($"127.0.0.1:{port}");
                cfg.KeyPrefix = TestNames.UniquePrefix();
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider(true);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            // Event 1000: a receiver started; 1062: it lost Redis (a warning beside the health check's verdict).
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(logs.Has("RedisStreams.Transport.QueueReceiver", 1000, "logged-ping"))), logs.Describe());
            await server.KillAsync();
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(logs.Has("RedisStreams.Transport.QueueReceiver", 1062, "logged-ping"))), logs.Describe());
        }
        finally
        {
            await bus.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    sealed class CapturingProvider : ILoggerProvider
    {
        readonly ConcurrentQueue<(string Category, int EventId, string Text)> _lines = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public bool Has(string category, int eventId, string text) =>
            _lines.Any(l => l.Category == category && l.EventId == eventId && l.Text.Contains(text, StringComparison.Ordinal));

        public string Describe() => string.Join(Environment.NewLine, _lines.Where(l => l.Category.StartsWith("RedisStreams", StringComparison.Ordinal)).Select(l => $"{l.Category}[{l.EventId}] {l.Text}"));

        public void Dispose()
        {
        }

        sealed class Logger(CapturingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner._lines.Enqueue((category, eventId.Id, formatter(state, exception)));
        }
    }
}
