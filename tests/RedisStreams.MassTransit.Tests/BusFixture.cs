using System.Runtime.CompilerServices;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.Testing;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Tests;

/// <summary>A MassTransit test harness on the real test Redis, under a key prefix of its own.</summary>
public sealed class BusFixture : IAsyncDisposable
{
    BusFixture(ServiceProvider provider, ITestHarness harness, RedisEndpoint redis, string prefix, RedisStreamsClient inspector)
    {
        Provider = provider;
        Harness = harness;
        Redis = redis;
        Prefix = prefix;
        Inspector = inspector;
    }

    int _disposed;

    public ServiceProvider Provider { get; }

    public ITestHarness Harness { get; }

    public RedisEndpoint Redis { get; }

    public string Prefix { get; }

    /// <summary>An engine client on the same prefix, for looking into queues.</summary>
    public RedisStreamsClient Inspector { get; }

    public IBus Bus => Harness.Bus;

    public static async Task<BusFixture> StartAsync(
        Action<IBusRegistrationConfigurator>? registrations = null,
        Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator>? bus = null,
        bool configureEndpoints = true,
        string? prefix = null,
        RedisEndpoint? redis = null,
        ILoggerProvider? logs = null,
        [CallerMemberName] string test = "")
    {
        redis ??= await RedisTestEnvironment.GetStandaloneAsync();
        prefix ??= TestNames.UniquePrefix(test);
        var keyPrefix = prefix;
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        }

        services.AddMassTransitTestHarness(x =>
        {
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30), testInactivityTimeout: TimeSpan.FromSeconds(2));
            registrations?.Invoke(x);
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host(redis.ConnectionString);
                cfg.KeyPrefix = keyPrefix;
                bus?.Invoke(context, cfg);
                if (configureEndpoints)
                {
                    cfg.ConfigureEndpoints(context);
                }
            });
        });
        var provider = services.BuildServiceProvider(true);
        var harness = await provider.StartTestHarness();
        var inspector = new RedisStreamsClient(await redis.AdminAsync(), new RedisStreamsOptions { KeyPrefix = prefix });
        return new BusFixture(provider, harness, redis, prefix, inspector);
    }

    public async Task<long> StreamLengthAsync(string queue) => (await Inspector.GetQueueStatisticsAsync(queue)).Length;

    /// <summary>Reads a queue's entries' fields without consuming them.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> ReadEntriesAsync(string queue)
    {
        var db = (await Redis.AdminAsync()).GetDatabase();
        var entries = await db.StreamRangeAsync($"{Prefix}:{{{queue}}}");
        return [.. entries.Select(e => (IReadOnlyDictionary<string, string>)e.Values.ToDictionary(v => (string)v.Name!, v => (string)v.Value!))];
    }

    /// <summary>
    /// Deletes the subscription registry under this fixture's prefix (topic keys and the version key) and nothing
    /// else, as a Redis that lost them would.
    /// </summary>
    public async Task<int> DeleteRegistryKeysAsync()
    {
        var keys = (await KeysAsync()).Where(k => k.StartsWith($"{Prefix}:topic:", StringComparison.Ordinal) || k == $"{Prefix}:registry-version").ToList();
        var db = (await Redis.AdminAsync()).GetDatabase();
        foreach (var key in keys)
        {
            await db.KeyDeleteAsync(key);
        }

        return keys.Count;
    }

    /// <summary>Every key under this fixture's prefix.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync()
    {
        var server = (await Redis.AdminAsync()).GetServers()[0];
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: Prefix + ":*"))
        {
            keys.Add(key!);
        }

        return keys;
    }

    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await Harness.Stop();
        }
        finally
        {
            await Provider.DisposeAsync();
        }
    }
}

static class Telemetry
{
    [ModuleInitializer]
    internal static void Off() => Environment.SetEnvironmentVariable("MASSTRANSIT_USAGE_TELEMETRY", "false");
}
