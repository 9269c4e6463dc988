using Microsoft.Extensions.Configuration;
using Rebus.Activation;
using Rebus.Config;
using Rebus.Logging;
using Rebus.Routing.TypeBased;
using RedisStreams.Rebus.Tests.Factories;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>How a Rebus bus starts when Redis is not there yet, and settings bound from configuration.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class StartupTests
{
    [Fact]
    public async Task The_bus_starts_while_Redis_is_down_and_receives_once_Redis_is_up()
    {
        var port = FreePorts.Next();
        var received = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var activator = new BuiltinHandlerActivator();
        activator.Handle<Ping>(ping =>
        {
            received.TrySetResult(ping.Id);
            return Task.CompletedTask;
        });
        var logs = new CapturingRebusLoggerFactory();

        // Before the fix the start threw (the queue could not be created), and a hosted application stopped.
        var bus = Configure.With(activator)
            .Logging(l => l.Use(logs))
            .Transport(t => t.UseRedisStreams($"127.0.0.1:{port}", "startup-late").KeyPrefix(TestNames.UniquePrefix()))
            .Start();

        Assert.Contains(logs.Lines, line => line.Level == LogLevel.Warn && line.Text.Contains("not reachable", StringComparison.Ordinal) && line.Text.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));

        using var server = await RedisServerProcess.StartAsync(port);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await bus.SendLocal(new Ping(7));
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));

        Assert.Equal(7, await received.Task.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void RequireRedisAtStartup_makes_the_start_fail_when_Redis_does_not_answer()
    {
        var port = FreePorts.Next();
        using var activator = new BuiltinHandlerActivator();

        var error = Assert.ThrowsAny<Exception>(() => Configure.With(activator)
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreams($"127.0.0.1:{port}", "startup-strict").RequireRedisAtStartup(TimeSpan.FromSeconds(1)))
            .Start());

        var cause = Assert.IsType<RedisStreamsConnectionException>(Innermost<RedisStreamsConnectionException>(error));
        Assert.Contains($"127.0.0.1:{port}", cause.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer within", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_bound_from_configuration_configure_the_transport()
    {
        var prefix = TestNames.UniquePrefix();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisStreams:ConnectionString"] = TestRedis.Endpoint.ConnectionString,
            ["RedisStreams:InputQueueName"] = "bound-queue",
            ["RedisStreams:KeyPrefix"] = prefix,
            ["RedisStreams:Prefetch"] = "4",
            ["RedisStreams:ClaimIdleTime"] = "00:00:30",
            ["RedisStreams:ReceiveWait"] = "00:00:00.500",
        }).Build();
        var settings = configuration.GetSection("RedisStreams").Get<RedisStreamsTransportSettings>()!;
        var received = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var activator = new BuiltinHandlerActivator();
        activator.Handle<Ping>(ping =>
        {
            received.TrySetResult(ping.Id);
            return Task.CompletedTask;
        });

        var bus = Configure.With(activator).Logging(l => l.None()).Transport(t => t.UseRedisStreams(settings)).Start();
        await bus.SendLocal(new Ping(3));

        Assert.Equal(3, await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        var admin = await TestRedis.Endpoint.AdminAsync();
        Assert.True(await admin.GetDatabase().KeyExistsAsync($"{prefix}:{{bound-queue}}"), "the bound key prefix was not used");
    }

    [Fact]
    public async Task Write_settings_bound_from_configuration_make_writes_durable()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisStreams:ConnectionString"] = TestRedis.Endpoint.ConnectionString,
            ["RedisStreams:KeyPrefix"] = TestNames.UniquePrefix(),
            ["RedisStreams:RequiredReplicas"] = "1",
            ["RedisStreams:ReplicationTimeout"] = "00:00:00.100",
            ["RedisStreams:WriteRetryTimeout"] = "00:00:01",
        }).Build();
        var settings = configuration.GetSection("RedisStreams").Get<RedisStreamsTransportSettings>()!;
        using var bus = Configure.OneWayClient().Logging(l => l.None())
            .Transport(t => t.UseRedisStreamsAsOneWayClient(settings.ConnectionString!).Apply(settings))
            .Routing(r => r.TypeBased().Map<Ping>("bound-durable"))
            .Start();

        // The test server has no replica: a write that must reach one fails, naming how many confirmed it.
        var failure = Assert.IsAssignableFrom<RedisStreamsReplicationException>(
            await Bounded.FailureWithinAsync(() => bus.Send(new Ping(1)), TimeSpan.FromSeconds(30)));
        Assert.Equal(1, failure.RequiredReplicas);
        Assert.Equal(0, failure.ConfirmedReplicas);
    }

    [Fact]
    public void An_invalid_bound_setting_fails_at_configuration_naming_it()
    {
        var settings = new RedisStreamsTransportSettings { ConnectionString = "redis://localhost:6379", InputQueueName = "q", Prefetch = 0 };
        using var activator = new BuiltinHandlerActivator();

        var error = Assert.ThrowsAny<ArgumentException>(() => Configure.With(activator).Transport(t => t.UseRedisStreams(settings)));

        Assert.Contains("Prefetch", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis://localhost:6379?timout=5000", "Did you mean 'timeout'?")]
    [InlineData("redis://localhost:abc", "the port 'abc'")]
    public void Malformed_connection_text_fails_at_configuration(string connection, string expected)
    {
        using var activator = new BuiltinHandlerActivator();

        var error = Assert.ThrowsAny<ArgumentException>(() => Configure.With(activator).Transport(t => t.UseRedisStreams(connection, "q")));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    static Exception? Innermost<T>(Exception error)
        where T : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T)
            {
                return e;
            }
        }

        return null;
    }
}
