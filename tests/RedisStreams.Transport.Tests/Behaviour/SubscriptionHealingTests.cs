using RedisStreams.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>
/// Redis loses data under running endpoints (restart without persistence, FLUSHALL, a failover to a lagging
/// node) and their subscriptions and topic links come back by themselves (issue 10, item 2). Each test owns its
/// redis-server, since it restarts or empties it.
/// </summary>
public sealed class SubscriptionHealingTests(ITestOutputHelper output) : EngineTestBase
{
    /// <summary>The warning that names what was missing and says it was written again.</summary>
    const int RestoredEvent = 1040;

    // Only the triggers under test may bring the subscriptions back, not the periodic check.
    static readonly TimeSpan NoPeriodicCheck = TimeSpan.FromHours(1);

    readonly string _directory = Directory.CreateTempSubdirectory("redis-streams-healing-").FullName;
    readonly int _port = FreePorts.Next();
    RedisServerProcess _server = null!;

    protected override async Task<RedisEndpoint> GetRedisAsync()
    {
        _server = await StartServerAsync();
        return _server.Endpoint;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Subscriptions_and_links_are_written_again_after_redis_restarts_empty()
    {
        var logs = new CapturingLoggerFactory();
        var subscriber = await NewIsolatedClientAsync(o => o.SubscriptionCheckInterval = NoPeriodicCheck, logs);
        await subscriber.Subscriptions.SubscribeAsync("IOrderEvent", "billing");
        await subscriber.Subscriptions.LinkTopicsAsync("OrderPlaced", "IOrderEvent");
        var receiver = await StartReceiverAsync("billing", await NewIsolatedClientAsync());
        var publisher = await NewIsolatedClientAsync();
        Assert.Equal(1, await publisher.PublishAsync("OrderPlaced", Message("before")));
        Assert.Empty(await ReceiveIdsAsync(receiver, ["before"]));

        await RestartEmptyAsync();
        var started = DateTime.UtcNow;
        var unrouted = await PublishUntilRoutedAsync(publisher, "OrderPlaced");
        output.WriteLine($"routed again {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms after the restart; {unrouted} probe(s) reached no queue before");

        var after = Enumerable.Range(0, 50).Select(i => $"after-{i}").ToList();
        foreach (var id in after)
        {
            Assert.Equal(1, await publisher.PublishAsync("OrderPlaced", Message(id)));
        }

        Assert.Empty(await ReceiveIdsAsync(receiver, after));
        AssertRestored(logs, "IOrderEvent", "billing");
        AssertRestored(logs, "OrderPlaced", "IOrderEvent");
    }

    [Fact]
    public async Task Subscriptions_are_written_again_after_flushall_once_a_receiver_finds_its_queue_gone()
    {
        var logs = new CapturingLoggerFactory();

        // The endpoint subscribes its own queue and consumes it, as MassTransit and Rebus endpoints do. Nothing
        // reconnects here: the receiver re-creating its group is what tells the client to look.
        var endpoint = await NewIsolatedClientAsync(o => o.SubscriptionCheckInterval = NoPeriodicCheck, logs);
        await endpoint.Subscriptions.SubscribeAsync("OrderShipped", "shipping");
        var receiver = await StartReceiverAsync("shipping", endpoint);
        var publisher = await NewIsolatedClientAsync();

        await (await Redis.AdminAsync()).GetServers()[0].FlushAllDatabasesAsync();
        var flushed = DateTime.UtcNow;
        var unrouted = await PublishUntilRoutedAsync(publisher, "OrderShipped");
        output.WriteLine($"routed again {(DateTime.UtcNow - flushed).TotalMilliseconds:F0} ms after FLUSHALL; {unrouted} probe(s) reached no queue before");

        var after = Enumerable.Range(0, 20).Select(i => $"after-{i}").ToList();
        foreach (var id in after)
        {
            Assert.Equal(1, await publisher.PublishAsync("OrderShipped", Message(id)));
        }

        Assert.Empty(await ReceiveIdsAsync(receiver, after));
        AssertRestored(logs, "OrderShipped", "shipping");
    }

    [Fact]
    public async Task A_subscription_missing_from_the_snapshot_a_restarted_redis_loaded_is_written_again()
    {
        var logs = new CapturingLoggerFactory();
        var subscriber = await NewIsolatedClientAsync(o => o.SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200), logs);
        await subscriber.Subscriptions.SubscribeAsync("PriceChanged", "catalog");
        await (await Redis.AdminAsync()).GetServers()[0].ExecuteAsync("SAVE");

        // Written after the snapshot: a crash loses it while the topic's other keys survive.
        await subscriber.Subscriptions.SubscribeAsync("PriceChanged", "pricing");
        await _server.KillAsync();
        _server.Dispose();
        _server = await StartServerAsync();
        var restarted = DateTime.UtcNow;

        Assert.True(
            await EventuallyAsync(async () => (await SubscribersAsync("PriceChanged")).Contains("pricing")),
            $"subscribers: {string.Join(", ", await SubscribersAsync("PriceChanged"))}");
        output.WriteLine($"written again {(DateTime.UtcNow - restarted).TotalMilliseconds:F0} ms after the restart");
        Assert.Equal(["catalog", "pricing"], await SubscribersAsync("PriceChanged"));
        AssertRestored(logs, "PriceChanged", "pricing");
    }

    [Fact]
    public async Task A_subscription_lost_in_a_failover_is_written_again_though_its_topic_survived()
    {
        var logs = new CapturingLoggerFactory();
        using var replica = await RedisServerProcess.StartAsync(FreePorts.Next(), "--replicaof", "127.0.0.1", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--repl-diskless-sync-delay", "0");
        var primary = (await Redis.AdminAsync()).GetServers()[0];
        var replicaServer = (await replica.Endpoint.AdminAsync()).GetServers()[0];
        await WaitForReplicationLinkAsync(replicaServer);

        var configuration = ConfigurationOptions.Parse(Redis.ConnectionString);
        configuration.ConfigCheckSeconds = 1;
        var subscriber = await RedisStreamsClient.ConnectAsync(configuration, TestOptions(o => o.SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200)), logs);
        await using var _ = subscriber;
        await subscriber.Subscriptions.SubscribeAsync("StockLow", "purchasing");
        Assert.Equal(1L, (long)await subscriber.Multiplexer.GetDatabase().ExecuteAsync("WAIT", 1, 5000));

        // The replica is promoted; the old primary takes one more write, then follows the new one and drops
        // that write; then it is promoted back, with the new primary's data and a new replication id. Same
        // endpoint, same process (run id): only the replication id tells.
        await replicaServer.ExecuteAsync("REPLICAOF", "NO", "ONE");
        await subscriber.Subscriptions.SubscribeAsync("StockLow", "alerts");
        await primary.ExecuteAsync("REPLICAOF", "127.0.0.1", replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await WaitForReplicationLinkAsync(primary);
        Assert.DoesNotContain("alerts", await SubscribersAsync("StockLow"));
        await primary.ExecuteAsync("REPLICAOF", "NO", "ONE");
        var promoted = DateTime.UtcNow;

        Assert.True(
            await EventuallyAsync(async () => (await SubscribersAsync("StockLow")).Contains("alerts")),
            $"subscribers: {string.Join(", ", await SubscribersAsync("StockLow"))}");
        output.WriteLine($"written again {(DateTime.UtcNow - promoted).TotalMilliseconds:F0} ms after the promotion");
        Assert.Equal(["alerts", "purchasing"], await SubscribersAsync("StockLow"));
        AssertRestored(logs, "StockLow", "alerts");
    }

    [Fact]
    public async Task A_publisher_never_serves_a_resolution_cached_before_redis_lost_its_data()
    {
        var publisher = await NewIsolatedClientAsync();
        var before = await NewIsolatedClientAsync();
        await before.Subscriptions.SubscribeAsync("a", "queue-a");
        await before.Subscriptions.SubscribeAsync("b", "queue-b");
        Assert.Equal(0, await publisher.PublishAsync("t", Message("nobody yet")));
        await before.DisposeAsync();

        // After the loss the registry is written anew, as often as before: a cache keyed on a counter that
        // started again from zero would take the new registry for the one it cached.
        await (await Redis.AdminAsync()).GetServers()[0].FlushAllDatabasesAsync();
        var after = await NewIsolatedClientAsync();
        await after.Subscriptions.SubscribeAsync("t", "queue-t");
        await after.Subscriptions.SubscribeAsync("u", "queue-u");

        Assert.Equal(1, await publisher.PublishAsync("t", Message("someone now")));
    }

    async Task RestartEmptyAsync()
    {
        await _server.KillAsync();
        _server.Dispose();
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            File.Delete(file);
        }

        _server = await StartServerAsync();
    }

    // No 5 s wait for more replicas before a full sync: the failover test syncs twice.
    Task<RedisServerProcess> StartServerAsync() => RedisServerProcess.StartInAsync(_port, _directory, "--repl-diskless-sync-delay", "0");

    async Task<List<string>> SubscribersAsync(string topic)
    {
        try
        {
            return [.. await Client.Subscriptions.GetSubscribersAsync(topic)];
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return [];
        }
    }

    static async Task WaitForReplicationLinkAsync(IServer replica)
    {
        Assert.True(await EventuallyAsync(async () =>
        {
            var info = (string?)await replica.ExecuteAsync("INFO", "replication") ?? string.Empty;
            return info.Contains("master_link_status:up", StringComparison.Ordinal);
        }), $"{replica.EndPoint} never finished syncing with its primary");
    }

    static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
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

    static void AssertRestored(CapturingLoggerFactory logs, string topic, string member)
    {
        var warnings = logs.WithEventId(RestoredEvent);
        Assert.True(
            warnings.Any(w => w.Level == Microsoft.Extensions.Logging.LogLevel.Warning && w.Message.Contains($"'{topic}'", StringComparison.Ordinal) && w.Message.Contains(member, StringComparison.Ordinal)),
            $"No warning {RestoredEvent} says that {member} of topic '{topic}' was written again. Logged:{Environment.NewLine}{string.Join(Environment.NewLine, logs.Lines)}");
    }
}
