using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rebus.Activation;
using Rebus.Config;
using Rebus.Routing.TypeBased;
using RedisStreams.Rebus.Tests.Factories;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// The Rebus health check and the engine's spans in a Rebus application (issue 11). Each test names its own input
/// queue: the health check sees every Rebus bus of the process, and other tests run buses in parallel.
/// </summary>
public sealed class ObservabilityTests
{
    const string ApplicationSource = "RedisStreams.Rebus.Tests.Application";
    static readonly ActivitySource Application = new(ApplicationSource);

    public sealed record TracedCommand(Guid Id);

    [Fact]
    public async Task The_health_check_follows_the_bus_through_start_a_lost_redis_its_return_and_disposal()
    {
        var port = FreePorts.Next();
        var server = await RedisServerProcess.StartAsync(port);
        var queue = "rebus-health-" + Guid.NewGuid().ToString("N")[..8];
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddRedisStreamsRebus(queue);
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        try
        {
            var report = await health.CheckHealthAsync();
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.Contains($"No Rebus bus receiving from queue '{queue}'", report.Entries["redis-streams-rebus"].Description, StringComparison.Ordinal);

            using var activator = new BuiltinHandlerActivator();
            var bus = Configure.With(activator)
                .Logging(l => l.None())
                .Transport(t => t.UseRedisStreams($"127.0.0.1:{port}", queue).KeyPrefix(TestNames.UniquePrefix()))
                .Start();
            Assert.True(await Eventually.TrueAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Healthy), Describe(report));
            Assert.Equal("receiving", report.Entries["redis-streams-rebus"].Data[$"bus '{queue}': receiver.{queue}"]);

            await server.KillAsync();
            Assert.True(await Eventually.TrueAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Unhealthy), Describe(report));
            Assert.Contains($"127.0.0.1:{port}", report.Entries["redis-streams-rebus"].Description, StringComparison.Ordinal);

            server = await RedisServerProcess.StartAsync(port);
            Assert.True(await Eventually.TrueAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Healthy, TimeSpan.FromSeconds(60)), Describe(report));

            bus.Dispose();
            Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status);
        }
        finally
        {
            server.Dispose();
        }
    }

    [Fact]
    public async Task A_message_handled_by_Rebus_is_one_trace_from_the_sender_through_the_engine_to_the_handler()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is RedisStreamsDiagnostics.ActivitySourceName or ApplicationSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var queue = "rebus-traced-" + Guid.NewGuid().ToString("N")[..8];
        var handled = new ConcurrentDictionary<Guid, ActivityTraceId>();
        using var activator = new BuiltinHandlerActivator();
        activator.Handle<TracedCommand>(command =>
        {
            handled[command.Id] = Activity.Current?.TraceId ?? default;
            return Task.CompletedTask;
        });
        using var bus = Configure.With(activator)
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreams(TestRedis.Endpoint.ConnectionString, queue).KeyPrefix(TestNames.UniquePrefix()))
            .Routing(r => r.TypeBased().Map<TracedCommand>(queue))
            .Start();

        var id = Guid.NewGuid();
        ActivityTraceId trace;
        using (var root = Application.StartActivity("checkout"))
        {
            trace = root!.TraceId;
            await bus.Send(new TracedCommand(id));
        }

        Assert.True(await Eventually.TrueAsync(() => handled.ContainsKey(id)), "handled");
        Assert.Equal(trace, handled[id]);

        bool Has(string name, ActivityKind kind) => spans.Any(s => s.TraceId == trace && s.DisplayName == name && s.Kind == kind);
        Assert.True(
            await Eventually.TrueAsync(() => Has($"send {queue}", ActivityKind.Producer) && Has($"receive {queue}", ActivityKind.Consumer) && Has($"ack {queue}", ActivityKind.Client)),
            "spans of the trace: " + string.Join(", ", spans.Where(s => s.TraceId == trace).Select(s => s.DisplayName)));
        var send = spans.Single(s => s.TraceId == trace && s.DisplayName == $"send {queue}");
        var receive = spans.Single(s => s.TraceId == trace && s.DisplayName == $"receive {queue}");
        Assert.Equal(send.SpanId, receive.ParentSpanId);
    }

    static string Describe(HealthReport report) =>
        string.Join("; ", report.Entries.Select(e => $"{e.Key}={e.Value.Status}: {e.Value.Description}"));
}
