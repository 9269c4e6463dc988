using Rebus.Config;
using Rebus.Routing.TypeBased;
using RedisStreams.Testing;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// A send or publish while Redis is down, or out of memory, fails within a bound with the engine's clear exception
/// (issues 10 and 12).
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class OutageTests
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Send_and_publish_while_redis_is_down_fail_within_the_bound()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        using var bus = Configure.OneWayClient()
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreamsAsOneWayClient($"127.0.0.1:{server.Port}").KeyPrefix(TestNames.UniquePrefix()).WriteRetryTimeout(Bound))
            .Routing(r => r.TypeBased().Map<Ping>("outage-work"))
            .Start();
        await bus.Send(new Ping(1));
        await server.KillAsync();

        var send = await FailsWithinAsync<RedisStreamsUnavailableException>(() => bus.Send(new Ping(2)), Bound + TimeSpan.FromSeconds(20));
        var publish = await FailsWithinAsync<RedisStreamsUnavailableException>(() => bus.Publish(new OrderPlaced(3)), Bound + TimeSpan.FromSeconds(20));

        Assert.Contains("queue 'outage-work'", send.Message, StringComparison.Ordinal);
        Assert.Contains("topic '", publish.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{server.Port}", send.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_and_publish_under_OOM_fail_at_once_with_the_cause_and_the_fix()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var prefix = TestNames.UniquePrefix();
        using var bus = Configure.OneWayClient()
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreamsAsOneWayClient($"127.0.0.1:{server.Port}").KeyPrefix(prefix).WriteRetryTimeout(TimeSpan.FromMinutes(10)))
            .Routing(r => r.TypeBased().Map<Ping>("oom-work"))
            .Start();
        await bus.Send(new Ping(1));
        await using (var subscriber = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions { KeyPrefix = prefix }))
        {
            await subscriber.Subscriptions.SubscribeAsync("order-placed-topic", "oom-subscriber");
        }

        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

        var send = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => bus.Send(new Ping(2)), TimeSpan.FromSeconds(30));
        var publish = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => bus.Advanced.Topics.Publish("order-placed-topic", new OrderPlaced(3)), TimeSpan.FromSeconds(30));

        foreach (var failure in new Exception[] { send, publish })
        {
            Assert.Contains("out of memory", failure.Message, StringComparison.Ordinal);
            Assert.Contains("raise maxmemory", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_required_replicas_and_none_attached_a_send_fails_with_the_replication_exception()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        using var bus = Configure.OneWayClient()
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreamsAsOneWayClient($"127.0.0.1:{server.Port}")
                .KeyPrefix(TestNames.UniquePrefix())
                .RequireReplicas(1, TimeSpan.FromMilliseconds(100))
                .WriteRetryTimeout(TimeSpan.FromSeconds(1)))
            .Routing(r => r.TypeBased().Map<Ping>("durable-work"))
            .Start();

        var failure = await FailsWithinAsync<RedisStreamsReplicationException>(() => bus.Send(new Ping(1)), TimeSpan.FromSeconds(30));

        Assert.Equal(0, failure.ConfirmedReplicas);
        Assert.Contains("queue 'durable-work'", failure.Message, StringComparison.Ordinal);
    }

    static async Task<TException> FailsWithinAsync<TException>(Func<Task> action, TimeSpan deadline)
        where TException : Exception =>
        Assert.IsAssignableFrom<TException>(await Bounded.FailureWithinAsync(action, deadline));
}
