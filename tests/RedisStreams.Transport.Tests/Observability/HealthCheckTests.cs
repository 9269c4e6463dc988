using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisStreams.Testing;
using RedisStreams.Transport.Tests.Behaviour;

namespace RedisStreams.Transport.Tests.Observability;

/// <summary>
/// <c>services.AddHealthChecks().AddRedisStreams(...)</c> (issue 11), read through <see cref="HealthCheckService"/> as
/// a host reads it: the connection, the client's receivers, and queue thresholds; never a password in a report.
/// </summary>
public sealed class HealthCheckTests : EngineTestBase
{
    protected override Task<RedisEndpoint> GetRedisAsync() => RedisTestEnvironment.GetStandaloneAsync();

    [Fact]
    public async Task Healthy_while_redis_answers_unhealthy_while_it_is_gone_and_healthy_again_when_it_is_back()
    {
        var port = FreePorts.Next();
        var server = await RedisServerProcess.StartAsync(port);
        try
        {
            await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{port}", TestOptions());
            await using var receiver = client.CreateReceiver("health-orders");
            await receiver.StartAsync();
            await using var provider = Services(h => h.AddRedisStreams(_ => client));
            var health = provider.GetRequiredService<HealthCheckService>();

            var report = await health.CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, report.Status);
            Assert.Equal("receiving", report.Entries["redis-streams"].Data["receiver.health-orders"]);

            await server.KillAsync();
            Assert.True(await EventuallyAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Unhealthy), Describe(report));
            Assert.Contains($"127.0.0.1:{port}", report.Entries["redis-streams"].Description, StringComparison.Ordinal);

            server = await RedisServerProcess.StartAsync(port);
            Assert.True(await EventuallyAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Healthy, TimeSpan.FromSeconds(60)), Describe(report));
        }
        finally
        {
            server.Dispose();
        }
    }

    [Fact]
    public async Task Queue_thresholds_report_degraded_then_unhealthy_with_the_reason()
    {
        var receiver = await StartReceiverAsync("thresholds", prefetch: 1);
        await Client.SendManyAsync(Enumerable.Range(0, 5).Select(i => ("thresholds", Message($"t{i}"))));
        await using var provider = Services(h => h.AddRedisStreams(_ => Client, o => o
            .AddQueue("thresholds", q =>
            {
                q.DegradedLag = 3;
                q.UnhealthyLag = 100;
                q.DegradedDeadLetters = 1;
                q.UnhealthyDeadLetters = 2;
                q.UnhealthyOldestPendingAge = TimeSpan.FromHours(1);
            })));
        var health = provider.GetRequiredService<HealthCheckService>();

        // Prefetch 1: one pending, four waiting.
        HealthReport report = null!;
        Assert.True(await EventuallyAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Degraded), Describe(report));
        Assert.Contains("queue 'thresholds': 4 messages waiting for delivery (limit 3)", report.Entries["redis-streams"].Description, StringComparison.Ordinal);

        for (var i = 0; i < 2; i++)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            await receiver.DeadLetterAsync(message!, "the test gives up");
        }

        Assert.True(await EventuallyAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Unhealthy), Describe(report));
        Assert.Contains("queue 'thresholds': 2 dead-lettered messages (limit 2)", report.Entries["redis-streams"].Description, StringComparison.Ordinal);
        var numbers = (IReadOnlyDictionary<string, object?>)report.Entries["redis-streams"].Data["queue.thresholds"];
        Assert.Equal(2L, numbers["dead_letters"]);
        Assert.Equal(1L, numbers["pending"]);
    }

    [Fact]
    public async Task A_consumer_stuck_on_a_message_turns_the_check_unhealthy_by_the_age_of_the_oldest_pending_message()
    {
        var receiver = await StartReceiverAsync("stuck", prefetch: 1);
        await Client.SendAsync("stuck", Message("s"));
        Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)));
        await using var provider = Services(h => h.AddRedisStreams(_ => Client, o => o.AddQueue("stuck", q => q.UnhealthyOldestPendingAge = TimeSpan.FromSeconds(1))));
        var health = provider.GetRequiredService<HealthCheckService>();

        HealthReport report = null!;
        Assert.True(await EventuallyAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Unhealthy), Describe(report));
        Assert.Contains("its oldest unsettled message is", report.Entries["redis-streams"].Description, StringComparison.Ordinal);
        Assert.Contains("a consumer may be stuck", report.Entries["redis-streams"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_with_its_own_connection_never_shows_the_password_up_down_or_refused()
    {
        var port = FreePorts.Next();
        var server = await RedisServerProcess.StartAsync(port);
        try
        {
            var user = "health-" + Guid.NewGuid().ToString("N")[..8];
            const string password = "s3cret-hunter2-health";
            using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}"))
            {
                await admin.GetDatabase().ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, Prefix));
            }

            await using var provider = Services(h => h
                .AddRedisStreams($"redis://{user}:{password}@127.0.0.1:{port}", Prefix, o => o.AddQueue("secret-orders", q => q.DegradedLag = 1))
                .AddRedisStreams($"redis://{user}:wrong-{password}@127.0.0.1:{port}", Prefix, name: "refused"));
            var health = provider.GetRequiredService<HealthCheckService>();

            var up = await health.CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, up.Entries["redis-streams"].Status);
            Assert.Equal(HealthStatus.Unhealthy, up.Entries["refused"].Status);
            Assert.Contains("user and password", up.Entries["refused"].Description, StringComparison.Ordinal);

            await server.KillAsync();
            HealthReport down = null!;
            Assert.True(await EventuallyAsync(async () => (down = await health.CheckHealthAsync()).Entries["redis-streams"].Status == HealthStatus.Unhealthy), Describe(down));

            foreach (var report in new[] { up, down })
            {
                var text = Describe(report);
                Assert.DoesNotContain(password, text, StringComparison.Ordinal);
                Assert.All(report.Entries.Values, e => Assert.Null(e.Exception));
            }
        }
        finally
        {
            server.Dispose();
        }
    }

    static ServiceProvider Services(Action<IHealthChecksBuilder> checks)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        checks(services.AddHealthChecks());
        return services.BuildServiceProvider();
    }

    /// <summary>Everything a health writer could print: status, description, data (serialized) and exceptions.</summary>
    static string Describe(HealthReport? report) =>
        report is null ? "(no report)" : string.Join("; ", report.Entries.Select(e =>
            $"{e.Key}={e.Value.Status}: {e.Value.Description} {JsonSerializer.Serialize(e.Value.Data)} {e.Value.Exception}"));

    static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }
}
