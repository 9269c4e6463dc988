using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisStreams.Testing;
using Xunit.Abstractions;

namespace RedisStreams.MassTransit.Tests;

/// <summary>
/// MassTransit's own bus and endpoint health check, read the way a host reads it (through
/// <see cref="HealthCheckService"/>, no ASP.NET Core), while the Redis server dies and comes back (issue 11).
/// </summary>
public sealed class HealthSpecs(ITestOutputHelper output)
{
    // Generous on purpose (the machine is shared and noisy): the fix reports Unhealthy in about two to three
    // seconds; before it, the bus went Degraded (HTTP 200) after about 16 s.
    static readonly TimeSpan UnhealthyBound = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task Bus_health_turns_unhealthy_soon_after_redis_dies_without_a_degraded_phase_and_healthy_after_it_returns()
    {
        var port = FreePorts.Next();
        var server = await RedisServerProcess.StartAsync(port);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.AddConsumer<PingConsumer>().Endpoint(e => e.Name = "health-ping");
            x.AddConsumer<PingResponder>().Endpoint(e => e.Name = "health-responder");
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host($"127.0.0.1:{port}");
                cfg.KeyPrefix = TestNames.UniquePrefix();
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider(true);
        var bus = provider.GetRequiredService<IBusControl>();
        var health = provider.GetRequiredService<HealthCheckService>();
        await bus.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            Assert.True(await BusFixture.EventuallyAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, TimeSpan.FromSeconds(30)), "healthy at first");

            await server.KillAsync();
            var down = Stopwatch.StartNew();
            var seen = new List<(TimeSpan At, HealthStatus Status, string Description)>();
            HealthStatus status;
            do
            {
                var report = await health.CheckHealthAsync();
                status = report.Status;
                if (seen.Count == 0 || seen[^1].Status != status)
                {
                    seen.Add((down.Elapsed, status, Describe(report) + " | endpoints: " + string.Join(", ", bus.CheckHealth().Endpoints.Select(e => $"{e.Key.Split('/')[^1]}={e.Value.Status}"))));
                }

                await Task.Delay(100);
            }
            while (status != HealthStatus.Unhealthy && down.Elapsed < TimeSpan.FromSeconds(60));

            foreach (var (at, observed, description) in seen)
            {
                output.WriteLine($"{at.TotalSeconds,6:0.0} s after the kill: {observed} ({description})");
            }

            Assert.True(status == HealthStatus.Unhealthy, "never turned unhealthy within a minute of losing Redis");
            Assert.DoesNotContain(seen, s => s.Status == HealthStatus.Degraded);
            Assert.True(seen[^1].At < UnhealthyBound, $"unhealthy only after {seen[^1].At.TotalSeconds:0.0} s");

            server = await RedisServerProcess.StartAsync(port).WaitAsync(TimeSpan.FromSeconds(30));
            var up = Stopwatch.StartNew();
            Assert.True(await BusFixture.EventuallyAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, TimeSpan.FromSeconds(60)), $"healthy again: {Describe(await health.CheckHealthAsync())}");
            output.WriteLine($"{up.Elapsed.TotalSeconds,6:0.0} s after the restart: Healthy");

            var id = Guid.NewGuid();
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:health-ping")).WaitAsync(TimeSpan.FromSeconds(30));
            await endpoint.Send(new PingMessage(id)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1), TimeSpan.FromSeconds(30)), "consumed after recovery");

            // The bus endpoint, reported faulted while it could not start, still starts when a request client needs it.
            var client = bus.CreateRequestClient<PingMessage>(new Uri("queue:health-responder"), RequestTimeout.After(s: 30));
            var pong = await client.GetResponse<PongMessage>(new PingMessage(id));
            Assert.Equal(id, pong.Message.Id);
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        }
        finally
        {
            await bus.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            server.Dispose();
        }
    }

    static string Describe(HealthReport report) =>
        string.Join("; ", report.Entries.Select(e => $"{e.Key}={e.Value.Status}: {e.Value.Description}"));
}
