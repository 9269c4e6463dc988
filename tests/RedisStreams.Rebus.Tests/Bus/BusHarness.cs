using Rebus.Activation;
using Rebus.Bus;
using Rebus.Config;
using Rebus.Routing;
using Rebus.Routing.TypeBased;
using Rebus.Timeouts;
using RedisStreams.Rebus.Tests.Factories;
using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>Starts several real buses on the test Redis under one key prefix, and disposes them at the end of a test.</summary>
public sealed class BusHarness : IDisposable
{
    readonly List<IDisposable> _started = [];

    public BusHarness(string test)
    {
        Prefix = TestNames.UniquePrefix(test);
    }

    /// <summary>The key prefix every bus of this test uses.</summary>
    public string Prefix { get; }

    /// <summary>
    /// Starts a bus on <paramref name="queue"/>; <paramref name="handlers"/> adds its handlers,
    /// <paramref name="timeouts"/> configures Rebus's timeout storage and <paramref name="transport"/> adds transport
    /// settings to the test's own.
    /// </summary>
    public IBus StartBus(
        string queue,
        Action<BuiltinHandlerActivator> handlers,
        Action<OptionsConfigurer>? options = null,
        Action<TypeBasedRouterConfigurationExtensions.TypeBasedRouterConfigurationBuilder>? routes = null,
        Action<StandardConfigurer<ITimeoutManager>>? timeouts = null,
        Action<RedisStreamsTransportOptions>? transport = null)
    {
        var activator = new BuiltinHandlerActivator();
        handlers(activator);
        Track(activator);
        return Configure.With(activator)
            .Logging(l => l.None())
            .Transport(t =>
            {
                var settings = ApplyTestSettings(t.UseRedisStreams(TestRedis.Endpoint.ConnectionString, queue));
                transport?.Invoke(settings);
            })
            .Routing(r => Route(r, routes))
            .Timeouts(t => timeouts?.Invoke(t))
            .Options(o => options?.Invoke(o))
            .Start();
    }

    /// <summary>Starts a one-way client (no input queue).</summary>
    public IBus StartOneWayClient(
        Action<TypeBasedRouterConfigurationExtensions.TypeBasedRouterConfigurationBuilder>? routes = null,
        Action<StandardConfigurer<ITimeoutManager>>? timeouts = null)
    {
        var bus = Configure.OneWayClient()
            .Logging(l => l.None())
            .Transport(t => ApplyTestSettings(t.UseRedisStreamsAsOneWayClient(TestRedis.Endpoint.Uri)))
            .Routing(r => Route(r, routes))
            .Timeouts(t => timeouts?.Invoke(t))
            .Start();
        Track(bus);
        return bus;
    }

    /// <summary>Reads a queue's stream with <c>XRANGE</c>, as an operator would in redis-cli.</summary>
    public async Task<StreamEntry[]> ReadStreamAsync(string queue)
    {
        var admin = await TestRedis.Endpoint.AdminAsync();
        return await admin.GetDatabase().StreamRangeAsync($"{Prefix}:{{{queue}}}");
    }

    /// <summary>Disposes a bus (or activator) early; it is not disposed again at the end.</summary>
    public void DisposeEarly(IDisposable started)
    {
        lock (_started)
        {
            _started.Remove(started);
        }

        started.Dispose();
    }

    public void Dispose()
    {
        List<IDisposable> started;
        lock (_started)
        {
            started = [.. _started];
            _started.Clear();
        }

        started.Reverse();
        foreach (var disposable in started)
        {
            disposable.Dispose();
        }
    }

    void Track(IDisposable disposable)
    {
        lock (_started)
        {
            _started.Add(disposable);
        }
    }

    RedisStreamsTransportOptions ApplyTestSettings(RedisStreamsTransportOptions transport) =>
        transport.KeyPrefix(Prefix)
            .ClaimIdleTime(TimeSpan.FromSeconds(2))
            .ConfigureEngine(engine =>
            {
                engine.IdlePollInterval = TimeSpan.FromMilliseconds(500);
                engine.ConsumerExpiry = TimeSpan.FromSeconds(30);
            });

    static void Route(StandardConfigurer<IRouter> router, Action<TypeBasedRouterConfigurationExtensions.TypeBasedRouterConfigurationBuilder>? routes)
    {
        var builder = router.TypeBased();
        routes?.Invoke(builder);
    }
}
