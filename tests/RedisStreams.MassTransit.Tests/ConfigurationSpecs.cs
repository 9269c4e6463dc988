using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RedisStreams.MassTransit.Transport;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Tests;

public class ConfigurationSpecs
{
    static IBusControl Build(Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator> configure)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.UsingRedisStreams(configure);
        });
        return services.BuildServiceProvider().GetRequiredService<IBusControl>();
    }

    [Theory]
    [InlineData("ftp://localhost", "redis://")]
    [InlineData("redis://", "host")]
    [InlineData("", "empty")]
    public void An_invalid_host_fails_at_configuration_saying_what_to_fix(string connection, string hint)
    {
        var exception = Assert.ThrowsAny<ConfigurationException>(() => Build((_, cfg) => cfg.Host(connection)));
        Assert.Contains(hint, exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_invalid_key_prefix_fails_at_configuration()
    {
        var exception = Assert.ThrowsAny<ConfigurationException>(() => Build((_, cfg) =>
        {
            cfg.Host("localhost:6379");
            cfg.KeyPrefix = "bad prefix{";
        }));
        Assert.Contains("prefix", exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_invalid_engine_setting_fails_at_configuration()
    {
        var exception = Assert.ThrowsAny<Exception>(() => Build((_, cfg) =>
        {
            cfg.Host("localhost:6379");
            cfg.ConfigureEngine(o => o.IdlePollInterval = TimeSpan.Zero);
        }));
        Assert.Contains("IdlePollInterval", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_settings_reach_the_endpoints_through_ConfigureEngine()
    {
        // Retention mode keeps consumed messages in the stream: visible proof the setting took effect.
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.ConfigureEngine(o => o.Retention = new StreamRetention(MaxLength: 1000));
            cfg.ReceiveEndpoint("kept", e => e.Handler<PingMessage>(_ => Task.CompletedTask));
        });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:kept"));
        await endpoint.Send(new PingMessage(Guid.NewGuid()));

        Assert.True(await bus.Harness.Consumed.Any<PingMessage>());
        Assert.Equal(1, await bus.StreamLengthAsync("kept"));
    }

    [Fact]
    public void Invalid_endpoint_settings_fail_at_configuration()
    {
        var exception = Assert.ThrowsAny<ConfigurationException>(() => Build((_, cfg) =>
        {
            cfg.Host("localhost:6379");
            cfg.ReceiveEndpoint("  ", e => e.Handler<PingMessage>(_ => Task.CompletedTask));
        }));
        Assert.Contains("queue name", exception.Message, StringComparison.OrdinalIgnoreCase);

        exception = Assert.ThrowsAny<ConfigurationException>(() => Build((_, cfg) =>
        {
            cfg.Host("localhost:6379");
            cfg.ReceiveEndpoint("ok", e =>
            {
                e.ClaimIdleTime = TimeSpan.FromMilliseconds(10);
                e.Handler<PingMessage>(_ => Task.CompletedTask);
            });
        }));
        Assert.Contains("at least one second", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transport_options_bound_from_configuration_are_the_defaults_when_the_callback_sets_no_host()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var services = new ServiceCollection();
        services.Configure<RedisStreamsTransportOptions>(o =>
        {
            o.ConnectionString = redis.Uri;
            o.KeyPrefix = prefix;
        });
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumer<PingConsumer>();
            x.UsingRedisStreams((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        await using var provider = services.BuildServiceProvider(true);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            Assert.Equal(prefix, bus.Address.AbsolutePath.Split('/')[1]);
            var id = Guid.NewGuid();
            await bus.Publish(new PingMessage(id));
            Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1)));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task A_bus_can_use_a_multiplexer_the_application_owns()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        using var multiplexer = await redis.ConnectAsync("application-owned");
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>(), (_, cfg) => cfg.Host(multiplexer));
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingMessage(id));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1)));
        await bus.DisposeAsync();
        Assert.True(multiplexer.IsConnected);
    }

    [Theory]
    [InlineData("queue:orders", "redis://h:6379/rs/orders")]
    [InlineData("topic:Contracts:OrderSubmitted", "redis://h:6379/rs/Contracts%3AOrderSubmitted?type=topic")]
    [InlineData("redis://h:6379/rs/orders?autodelete=true", "redis://h:6379/rs/orders?autodelete=true")]
    [InlineData("redis://h:6379/rs/events?type=topic", "redis://h:6379/rs/events?type=topic")]
    public void Endpoint_addresses_normalize_and_round_trip(string address, string expected)
    {
        var host = new Uri("redis://h:6379/rs/");
        var parsed = new RedisStreamsEndpointAddress(host, new Uri(address));
        Assert.Equal(expected, parsed.ToUri().ToString());
        var again = new RedisStreamsEndpointAddress(host, parsed.ToUri());
        Assert.Equal(parsed, again);
    }

    [Theory]
    [InlineData("redis://h:6379/other-prefix/orders")]
    [InlineData("redis://h:6379/rs/orders?type=fanout")]
    public void Addresses_the_transport_cannot_use_are_rejected(string address)
    {
        Assert.ThrowsAny<AbstractUriException>(() => new RedisStreamsEndpointAddress(new Uri("redis://h:6379/rs/"), new Uri(address)));
    }
}
