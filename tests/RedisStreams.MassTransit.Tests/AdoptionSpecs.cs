using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.Testing;

namespace RedisStreams.MassTransit.Tests;

/// <summary>What a RabbitMQ application needs to switch by changing the host line.</summary>
public class AdoptionSpecs
{
    static IBusControl Build(Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator> configure, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        collection.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.UsingRedisStreams(configure);
        });
        return collection.BuildServiceProvider().GetRequiredService<IBusControl>();
    }

    [Theory]
    [InlineData("/", "/rs/")]
    [InlineData("", "/rs/")]
    [InlineData("/orders-app", "/orders-app/")]
    [InlineData("orders-app", "/orders-app/")]
    public void The_virtual_host_of_a_RabbitMQ_shaped_host_becomes_the_key_prefix(string virtualHost, string path)
    {
        var bus = Build((_, cfg) => cfg.Host("cache.local", 6380, virtualHost, h =>
        {
            h.Username("app");
            h.Password("hunter2");
        }));

        Assert.Equal("cache.local", bus.Address.Host);
        Assert.Equal(6380, bus.Address.Port);
        Assert.StartsWith(path, bus.Address.AbsolutePath, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", bus.Address.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_virtual_host_that_cannot_be_a_key_prefix_fails_at_configuration()
    {
        var error = Assert.ThrowsAny<ConfigurationException>(() => Build((_, cfg) => cfg.Host("localhost", "team {orders}", h => h.Password("x"))));
        Assert.Contains("prefix", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("redis://localhost:6379?timout=5000", "Did you mean 'timeout'?")]
    [InlineData("redis://host:abc", "the port 'abc' is not a number from 1 to 65535")]
    [InlineData("localhost:6379,sslProtocolz=tls12", "sslProtocolz")]
    public void Malformed_connection_text_fails_at_configuration_naming_the_problem(string connection, string expected)
    {
        var error = Assert.ThrowsAny<ConfigurationException>(() => Build((_, cfg) => cfg.Host(connection)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_connection_text_from_options_fails_at_configuration()
    {
        var error = Assert.ThrowsAny<ConfigurationException>(() => Build(
            (_, _) => { },
            s => s.Configure<RedisStreamsTransportOptions>(o => o.ConnectionString = "redis://localhost:6379?timout=5000")));
        Assert.Contains("Did you mean 'timeout'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_RabbitMQ_shaped_host_connects_with_its_credentials_under_its_virtual_host()
    {
        const string password = "adopt-hunter2";
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next(), "--requirepass", password);
        var prefix = TestNames.UniquePrefix();
        var services = new ServiceCollection();
        services.AddMassTransitTestHarness(x =>
        {
            x.DisableUsageTelemetry();
            x.UsingRedisStreams((_, cfg) =>
            {
                cfg.Host("127.0.0.1", (ushort)server.Port, "/" + prefix, h =>
                {
                    h.Username("default");
                    h.Password(password);
                });
                cfg.ReceiveEndpoint("adopt-vhost", e => e.Handler<PingMessage>(_ => Task.CompletedTask));
            });
        });
        await using var provider = services.BuildServiceProvider(true);
        var harness = await provider.StartTestHarness();

        await (await harness.Bus.GetSendEndpoint(new Uri("queue:adopt-vhost"))).Send(new PingMessage(Guid.NewGuid()));

        Assert.True(await harness.Consumed.Any<PingMessage>());
        var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},password={password}");
        await using (admin)
        {
            Assert.True(await admin.GetDatabase().KeyExistsAsync($"{prefix}:{{adopt-vhost}}"), "the virtual host was not used as the key prefix");
        }
    }

    [Fact]
    public async Task Bind_and_exchange_addresses_work_as_on_RabbitMQ()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.ReceiveEndpoint("adopt-bound", e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Bind<OrderSubmitted>();
                e.Bind("adopt-custom-exchange");
                e.Handler<OrderSubmitted>(_ => Task.CompletedTask);
                e.Handler<PingMessage>(_ => Task.CompletedTask);
            });
        });
        var orderId = Guid.NewGuid();
        var pingId = Guid.NewGuid();

        await bus.Bus.Publish(new OrderSubmitted(orderId));
        await (await bus.Bus.GetSendEndpoint(new Uri("exchange:adopt-custom-exchange?type=fanout"))).Send(new PingMessage(pingId));

        Assert.True(await bus.Harness.Consumed.Any<OrderSubmitted>(x => x.Context.Message.OrderId == orderId));
        Assert.True(await bus.Harness.Consumed.Any<PingMessage>(x => x.Context.Message.Id == pingId));
    }

    [Fact]
    public async Task The_error_queue_gets_host_headers_and_headers_added_by_error_pipe_filters()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.ReceiveEndpoint("adopt-failing", e =>
            {
                e.ConfigureError(x =>
                {
                    x.UseFilter(new TenantHeaderFilter());
                    x.UseFilter(new global::MassTransit.Middleware.GenerateFaultFilter());
                    x.UseFilter(new global::MassTransit.Middleware.ErrorTransportFilter());
                });
                e.Consumer<FailingConsumer>();
            });
        });
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:adopt-failing"))).Send(new FailingMessage(Guid.NewGuid()));

        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("adopt-failing_error") == 1));
        var entry = (await bus.ReadEntriesAsync("adopt-failing_error")).Single();
        Assert.Equal("tenant-7", entry["X-Tenant"]);
        Assert.Equal(Environment.MachineName, entry["MT-Host-MachineName"]);
        Assert.True(entry.ContainsKey("MT-Host-MassTransitVersion"));
        Assert.True(entry.ContainsKey("MT-Host-ProcessId"));
        Assert.Equal("fault", entry[MessageHeaders.Reason]);
        Assert.Equal("System.InvalidOperationException", entry[MessageHeaders.FaultExceptionType]);
    }

    [Fact]
    public async Task The_skipped_queue_gets_host_headers()
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
            cfg.ReceiveEndpoint("adopt-skip", e => e.Handler<PingMessage>(_ => Task.CompletedTask)));
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:adopt-skip"))).Send(new Unconsumed(Guid.NewGuid()));

        Assert.True(await BusFixture.EventuallyAsync(async () => await bus.StreamLengthAsync("adopt-skip_skipped") == 1));
        var entry = (await bus.ReadEntriesAsync("adopt-skip_skipped")).Single();
        Assert.Equal(Environment.MachineName, entry["MT-Host-MachineName"]);
        Assert.True(entry.ContainsKey(MessageHeaders.Reason));
    }

    [Fact]
    public async Task Endpoint_settings_bound_from_configuration_reach_the_endpoints()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisStreams:ConnectionString"] = redis.ConnectionString,
            ["RedisStreams:KeyPrefix"] = prefix,
            ["RedisStreams:PrefetchCount"] = "12",
            ["RedisStreams:ClaimIdleTime"] = "00:00:40",
            ["RedisStreams:Endpoints:adopt-configured:PrefetchCount"] = "5",
            ["RedisStreams:Endpoints:adopt-configured:ConcurrentMessageLimit"] = "3",
            ["RedisStreams:Endpoints:adopt-configured:MaxDeliveryCount"] = "9",
        }).Build();
        var services = new ServiceCollection();
        services.Configure<RedisStreamsTransportOptions>(configuration.GetSection("RedisStreams"));
        services.AddMassTransitTestHarness(x =>
        {
            x.DisableUsageTelemetry();
            x.UsingRedisStreams((_, cfg) =>
            {
                cfg.ReceiveEndpoint("adopt-configured", e => e.Handler<PingMessage>(_ => Task.CompletedTask));
                cfg.ReceiveEndpoint("adopt-defaults", e => e.Handler<PongMessage>(_ => Task.CompletedTask));
            });
        });
        await using var provider = services.BuildServiceProvider(true);
        var harness = await provider.StartTestHarness();
        await (await harness.Bus.GetSendEndpoint(new Uri("queue:adopt-configured"))).Send(new PingMessage(Guid.NewGuid()));
        Assert.True(await harness.Consumed.Any<PingMessage>());

        var probe = JsonSerializer.Serialize(harness.Bus.GetProbeResult());
        Assert.Contains("\"queueName\":\"adopt-configured\",\"prefetchCount\":5,\"concurrentMessageLimit\":3,\"claimIdleTime\":\"00:00:40\",\"maxDeliveryCount\":9", probe, StringComparison.Ordinal);
        Assert.Contains("\"queueName\":\"adopt-defaults\",\"prefetchCount\":12,\"claimIdleTime\":\"00:00:40\"", probe, StringComparison.Ordinal);
        Assert.Contains(prefix, harness.Bus.Address.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_settings_bound_from_configuration_make_sends_durable()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisStreams:ConnectionString"] = redis.ConnectionString,
            ["RedisStreams:KeyPrefix"] = TestNames.UniquePrefix(),
            ["RedisStreams:RequiredReplicas"] = "1",
            ["RedisStreams:ReplicationTimeout"] = "00:00:00.100",
            ["RedisStreams:WriteRetryTimeout"] = "00:00:01",
        }).Build();
        var bus = Build((_, _) => { }, s => s.Configure<RedisStreamsTransportOptions>(configuration.GetSection("RedisStreams")));
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:bound-durable"));

            // The test server has no replica: a send that must reach one fails, naming how many confirmed it.
            var failure = Assert.IsAssignableFrom<RedisStreams.Transport.RedisStreamsReplicationException>(
                await Bounded.FailureWithinAsync(() => endpoint.Send(new PingMessage(Guid.NewGuid())), TimeSpan.FromSeconds(30)));
            Assert.Equal(1, failure.RequiredReplicas);
            Assert.Equal(0, failure.ConfirmedReplicas);
        }
        finally
        {
            await bus.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public void An_invalid_bound_endpoint_setting_fails_at_configuration_naming_it()
    {
        var error = Assert.ThrowsAny<ConfigurationException>(() => Build(
            (_, _) => { },
            s => s.Configure<RedisStreamsTransportOptions>(o => o.Endpoints["orders"] = new RedisStreamsEndpointOptions { ClaimIdleTime = TimeSpan.FromMilliseconds(100) })));
        Assert.Contains("RedisStreamsTransportOptions.Endpoints[orders].ClaimIdleTime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bus_whose_Redis_is_down_logs_a_warning_naming_the_endpoint()
    {
        var port = FreePorts.Next();
        var logs = new CapturingLoggerFactory();
        var bus = Build(
            (_, cfg) =>
            {
                cfg.Host($"redis://127.0.0.1:{port}");
                cfg.ReceiveEndpoint("adopt-down", e => e.Handler<PingMessage>(_ => Task.CompletedTask));
            },
            s => s.AddLogging(l => l.AddProvider(logs)));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var starting = bus.StartAsync(cancel.Token);
        try
        {
            Assert.True(await BusFixture.EventuallyAsync(
                () => Task.FromResult(logs.WithEventId(1070).Any(l => l.Level == LogLevel.Warning && l.Message.Contains($"127.0.0.1:{port}", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(60)));
        }
        finally
        {
            await cancel.CancelAsync();
            await Task.WhenAny(starting, Task.Delay(TimeSpan.FromSeconds(30)));
            await bus.StopAsync(CancellationToken.None);
        }
    }

    sealed class TenantHeaderFilter : IFilter<ExceptionReceiveContext>
    {
        public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
        {
            context.ExceptionHeaders.Set("X-Tenant", "tenant-7");
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("tenant");
    }
}
