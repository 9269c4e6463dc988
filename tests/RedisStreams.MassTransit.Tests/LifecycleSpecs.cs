using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.Testing;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Tests;

public class LifecycleSpecs
{
    [Fact]
    public async Task PurgeOnStartup_removes_messages_sent_before_the_endpoint_started()
    {
        var prefix = TestNames.UniquePrefix();
        var old = Guid.NewGuid();
        await using (var sender = await BusFixture.StartAsync(prefix: prefix))
        {
            await (await sender.Bus.GetSendEndpoint(new Uri("queue:purged"))).Send(new PingMessage(old));
        }

        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("purged", e =>
        {
            e.PurgeOnStartup = true;
            e.Consumer<PingConsumer>();
        }), prefix: prefix);
        var fresh = Guid.NewGuid();
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:purged"))).Send(new PingMessage(fresh));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(fresh) == 1)));
        await Task.Delay(500);
        Assert.Equal(0, Seen.Count(old));
    }

    [Fact]
    public async Task A_bus_can_start_stop_and_start_again_and_still_consume()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var control = bus.Provider.GetRequiredService<IBusControl>();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ping"));
        var first = Guid.NewGuid();
        await endpoint.Send(new PingMessage(first));
        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(first) == 1)));

        await control.StopAsync();
        var whileStopped = Guid.NewGuid();
        await using (var other = await BusFixture.StartAsync(prefix: bus.Prefix))
        {
            await (await other.Bus.GetSendEndpoint(new Uri("queue:ping"))).Send(new PingMessage(whileStopped));
        }

        await control.StartAsync();
        var second = Guid.NewGuid();
        await (await control.GetSendEndpoint(new Uri("queue:ping"))).Send(new PingMessage(second));
        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(second) == 1 && Seen.Count(whileStopped) == 1)));
    }

    [Fact]
    public async Task An_endpoint_connected_to_a_running_bus_consumes_and_cannot_be_connected_twice()
    {
        await using var bus = await BusFixture.StartAsync();
        var handle = bus.Bus.ConnectReceiveEndpoint("dynamic", e => e.Consumer<PingConsumer>());
        await handle.Ready;
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingMessage(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1)));
        Assert.ThrowsAny<ConfigurationException>(() => bus.Bus.ConnectReceiveEndpoint("dynamic", e => e.Consumer<PingConsumer>()));
    }

    [Fact]
    public async Task Temporary_endpoints_and_the_bus_endpoint_leave_no_keys_after_100_start_stop_cycles()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.AddConsumer<PingResponder>();
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host(redis.ConnectionString);
                cfg.KeyPrefix = prefix;
                cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), e => e.ConfigureConsumer<PingResponder>(context));
            });
        });
        await using var provider = services.BuildServiceProvider(true);
        var bus = provider.GetRequiredService<IBusControl>();
        for (var i = 0; i < 100; i++)
        {
            await bus.StartAsync();
            if (i % 25 == 0)
            {
                var temporary = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(), DefaultEndpointNameFormatter.Instance, e => e.Handler<PongMessage>(_ => Task.CompletedTask));
                await temporary.Ready;
                await temporary.ReceiveEndpoint.Stop();
            }

            await bus.StopAsync();
        }

        var server = (await redis.AdminAsync()).GetServers()[0];
        var streams = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: prefix + ":*"))
        {
            if (await (await redis.AdminAsync()).GetDatabase().KeyTypeAsync(key) == RedisType.Stream)
            {
                streams.Add(key!);
            }
        }

        Assert.Empty(streams);
    }
}

public sealed class ConnectionLossSpecs
{
    [Fact]
    public async Task Killed_connections_mid_run_recover_and_lose_nothing()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var connection = $"127.0.0.1:{server.Port}";
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumer<PingConsumer>();
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host(connection);
                cfg.ClaimIdleTime = TimeSpan.FromSeconds(2);
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider(true);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            var ids = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToList();
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:ping"));
            using var admin = await ConnectionMultiplexer.ConnectAsync(connection);
            for (var i = 0; i < ids.Count; i++)
            {
                if (i % 20 == 10)
                {
                    await admin.GetServers()[0].ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                    await admin.GetServers()[0].ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "yes");
                }

                await endpoint.Send(new PingMessage(ids[i]));
            }

            var inspector = new RedisStreamsClient(admin, new RedisStreamsOptions());
            Assert.True(
                await BusFixture.EventuallyAsync(() => Task.FromResult(ids.All(id => Seen.Count(id) >= 1)), TimeSpan.FromSeconds(30)),
                $"consumed {ids.Count(id => Seen.Count(id) >= 1)} of {ids.Count}; queue {System.Text.Json.JsonSerializer.Serialize(await inspector.GetQueueStatisticsAsync("ping"))}; health {bus.CheckHealth().Description}");
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(bus.CheckHealth().Status == BusHealthStatus.Healthy)));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task Health_reflects_a_lost_Redis_and_recovers_when_it_is_back()
    {
        var port = FreePorts.Next();
        var server = await RedisServerProcess.StartAsync(port);
        var services = new ServiceCollection();
        if (Environment.GetEnvironmentVariable("RS_TEST_LOG") == "1")
        {
            services.AddLogging(l => l.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Debug));
        }

        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumer<PingConsumer>();
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host($"127.0.0.1:{port}");
                cfg.ClaimIdleTime = TimeSpan.FromSeconds(2);
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider(true);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(bus.CheckHealth().Status == BusHealthStatus.Healthy)), "healthy at first");

            server.Dispose();
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(bus.CheckHealth().Status != BusHealthStatus.Healthy), TimeSpan.FromSeconds(30)), "unhealthy while Redis is down");

            server = await RedisServerProcess.StartAsync(port).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(bus.CheckHealth().Status == BusHealthStatus.Healthy), TimeSpan.FromSeconds(60)), $"healthy again: {bus.CheckHealth().Description}");
            var id = Guid.NewGuid();
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:ping")).WaitAsync(TimeSpan.FromSeconds(30));
            await endpoint.Send(new PingMessage(id)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1), TimeSpan.FromSeconds(30)), "consumed after recovery");
        }
        finally
        {
            await bus.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            server.Dispose();
        }
    }
}

public class DeadInstanceSpecs
{
    [Fact]
    public async Task Temporary_queues_of_an_instance_that_died_expire_after_the_idle_time()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var connection = await redis.ConnectAsync("instance-that-dies");
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.Host(connection);
            cfg.AutoDeleteOnIdle = TimeSpan.FromSeconds(2);
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), DefaultEndpointNameFormatter.Instance, e => e.Handler<PingMessage>(_ => Task.CompletedTask));
        });
        var db = (await redis.AdminAsync()).GetDatabase();
        async Task<List<string>> QueueKeysAsync() => [.. (await bus.KeysAsync()).Where(k => k.Contains(":{", StringComparison.Ordinal) && !k.Contains(":topic:", StringComparison.Ordinal))];
        Assert.True(await BusFixture.EventuallyAsync(async () =>
        {
            var keys = await QueueKeysAsync();
            return keys.Count >= 1 && (await Task.WhenAll(keys.Select(k => db.KeyTimeToLiveAsync(k)))).All(ttl => ttl is not null);
        }), "the temporary endpoint's keys expire: " + string.Join(", ", await Task.WhenAll((await bus.KeysAsync()).Select(async k => $"{k}={await db.KeyTimeToLiveAsync(k)}"))));

        // The instance dies: it can no longer remove anything, nor keep anything alive.
        connection.Dispose();

        // The stream goes after the idle time; the small "waiting" flag key carries its own, longer expiry.
        Assert.True(await BusFixture.EventuallyAsync(async () => (await QueueKeysAsync()).Count == 0, TimeSpan.FromSeconds(45)), "left: " + string.Join(", ", await QueueKeysAsync()));
    }
}
