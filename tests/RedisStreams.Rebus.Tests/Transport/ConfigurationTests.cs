using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rebus.Activation;
using Rebus.Bus;
using Rebus.Config;
using Rebus.Handlers;
using Rebus.Routing.TypeBased;
using RedisStreams.Rebus.Tests.Bus;
using RedisStreams.Rebus.Tests.Factories;
using RedisStreams.Testing;

namespace RedisStreams.Rebus.Tests.Transport;

public sealed class ConfigurationTests
{
    [Fact]
    public void InvalidSettingsSayWhatToDo()
    {
        var options = new RedisStreamsTransportOptions();

        var prefetch = Assert.Throws<ArgumentOutOfRangeException>(() => options.Prefetch(0));
        var claim = Assert.Throws<ArgumentOutOfRangeException>(() => options.ClaimIdleTime(TimeSpan.FromMilliseconds(10)));
        var wait = Assert.Throws<ArgumentOutOfRangeException>(() => options.ReceiveWait(TimeSpan.FromMinutes(5)));
        var prefix = Assert.Throws<ArgumentException>(() => options.KeyPrefix(" "));

        Assert.Contains("Use about the bus's MaxParallelism", prefetch.Message, StringComparison.Ordinal);
        Assert.Contains("Use e.g. TimeSpan.FromSeconds(30)", claim.Message, StringComparison.Ordinal);
        Assert.Contains("Use e.g. TimeSpan.FromSeconds(1)", wait.Message, StringComparison.Ordinal);
        Assert.Contains("Leave the default", prefix.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidQueueNameIsRejectedAtConfiguration()
    {
        using var activator = new BuiltinHandlerActivator();

        var error = Assert.Throws<ArgumentException>(() => Configure.With(activator)
            .Transport(t => t.UseRedisStreams(TestRedis.Endpoint.ConnectionString, " ")));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BorrowedMultiplexerWorksAndStaysOpenAfterTheBusIsDisposed()
    {
        var prefix = TestNames.UniquePrefix();
        using var multiplexer = await TestRedis.Endpoint.ConnectAsync();
        var received = new ConcurrentBag<int>();
        using (var receiver = new BuiltinHandlerActivator())
        using (var sender = new BuiltinHandlerActivator())
        {
            receiver.Handle<Ping>(ping =>
            {
                received.Add(ping.Id);
                return Task.CompletedTask;
            });
            Configure.With(receiver)
                .Logging(l => l.None())
                .Transport(t => t.UseRedisStreams(multiplexer, "borrowed").KeyPrefix(prefix))
                .Start();
            var bus = Configure.With(sender)
                .Logging(l => l.None())
                .Transport(t => t.UseRedisStreams(TestRedis.Endpoint.Uri, "from-uri").KeyPrefix(prefix))
                .Routing(r => r.TypeBased().Map<Ping>("borrowed"))
                .Start();

            await bus.Send(new Ping(3));
            Assert.True(await Eventually.TrueAsync(() => !received.IsEmpty), "the message never arrived");
        }

        Assert.Equal([3], received);
        Assert.True(multiplexer.IsConnected, "disposing the bus closed a connection it did not own");
        Assert.True((await multiplexer.GetDatabase().PingAsync()) >= TimeSpan.Zero);
    }

    [Fact]
    public async Task WorksWithAddRebusInAGenericHost()
    {
        var prefix = TestNames.UniquePrefix();
        var handled = new PingLog();
        using var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton(handled);
                services.AddRebusHandler<LoggingPingHandler>();
                services.AddRebus(configure => configure
                    .Logging(l => l.None())
                    .Transport(t => t.UseRedisStreams(TestRedis.Endpoint.Uri, "hosted").KeyPrefix(prefix)));
            })
            .Build();
        await host.StartAsync();

        await host.Services.GetRequiredService<IBus>().SendLocal(new Ping(11));

        Assert.True(await Eventually.TrueAsync(() => !handled.Ids.IsEmpty), "the hosted bus never handled the message");
        Assert.Equal([11], handled.Ids);
        await host.StopAsync();
    }

    public sealed class PingLog
    {
        public ConcurrentBag<int> Ids { get; } = [];
    }

    public sealed class LoggingPingHandler(PingLog log) : IHandleMessages<Ping>
    {
        public Task Handle(Ping message)
        {
            log.Ids.Add(message.Id);
            return Task.CompletedTask;
        }
    }
}
