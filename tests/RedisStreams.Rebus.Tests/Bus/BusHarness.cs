using Microsoft.Extensions.Logging;
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
    readonly RedisEndpoint _redis;
    readonly ILoggerFactory? _engineLogs;

    /// <param name="test">The test's name, for the key prefix.</param>
    /// <param name="redis">The Redis to use; the shared test server when <c>null</c>.</param>
    /// <param name="engineLogs">Where the buses' engines log; nowhere when <c>null</c>.</param>
    public BusHarness(string test, RedisEndpoint? redis = null, ILoggerFactory? engineLogs = null)
    {
        Prefix = TestNames.UniquePrefix(test);
        _redis = redis ?? TestRedis.Endpoint;
        _engineLogs = engineLogs;
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
                var settings = ApplyTestSettings(t.UseRedisStreams(_redis.ConnectionString, queue));
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
            .Transport(t => ApplyTestSettings(t.UseRedisStreamsAsOneWayClient(_redis.Uri)))
            .Routing(r => Route(r, routes))
            .Timeouts(t => timeouts?.Invoke(t))
            .Start();
        Track(bus);
        return bus;
    }

    /// <summary>Reads a queue's stream with <c>XRANGE</c>, as an operator would in redis-cli.</summary>
    public async Task<StreamEntry[]> ReadStreamAsync(string queue)
    {
        var admin = await _redis.AdminAsync();
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

    RedisStreamsTransportOptions ApplyTestSettings(RedisStreamsTransportOptions transport)
    {
        transport.KeyPrefix(Prefix)
            .ClaimIdleTime(TimeSpan.FromSeconds(2))
            .ConfigureEngine(engine =>
            {
                engine.IdlePollInterval = TimeSpan.FromMilliseconds(500);
                engine.ConsumerExpiry = TimeSpan.FromSeconds(30);
                engine.SubscriptionCheckInterval = TimeSpan.FromMilliseconds(500);
            });
        if (_engineLogs is not null)
        {
            transport.LogEngineTo(_engineLogs);
        }

        return transport;
    }

    /// <summary>Deletes the subscription registry under this harness's prefix and nothing else, as a Redis that lost it would.</summary>
    public async Task<int> DeleteRegistryKeysAsync()
    {
        var admin = await _redis.AdminAsync();
        var keys = new List<RedisKey> { $"{Prefix}:registry-version" };
        await foreach (var key in admin.GetServers()[0].KeysAsync(pattern: $"{Prefix}:topic:*"))
        {
            keys.Add(key);
        }

        return (int)await admin.GetDatabase().KeyDeleteAsync([.. keys]);
    }

    static void Route(StandardConfigurer<IRouter> router, Action<TypeBasedRouterConfigurationExtensions.TypeBasedRouterConfigurationBuilder>? routes)
    {
        var builder = router.TypeBased();
        routes?.Invoke(builder);
    }
}
