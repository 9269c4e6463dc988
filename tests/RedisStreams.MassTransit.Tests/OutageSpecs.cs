using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RedisStreams.Testing;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Tests;

/// <summary>
/// A send or publish while Redis is down, or out of memory, fails the caller within a bound with the engine's clear
/// exception, instead of retrying for the host's lifetime (issues 10 and 12).
/// </summary>
public sealed class OutageSpecs
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Send_and_publish_while_redis_is_down_fail_within_the_bound()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        await using var provider = BusOn(server.Port, TestNames.UniquePrefix(), o => o.WriteRetryTimeout = Bound);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:outage-orders"));
            await endpoint.Send(new PingMessage(Guid.NewGuid()));
            await server.KillAsync();

            var send = await FailsWithinAsync<RedisStreamsUnavailableException>(() => endpoint.Send(new PingMessage(Guid.NewGuid())), Bound + TimeSpan.FromSeconds(20));
            var publish = await FailsWithinAsync<RedisStreamsUnavailableException>(() => bus.Publish(new OrderSubmitted(Guid.NewGuid())), Bound + TimeSpan.FromSeconds(20));

            Assert.Contains("queue 'outage-orders'", send.Message, StringComparison.Ordinal);
            Assert.Contains("topic '", publish.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{server.Port}", send.Message, StringComparison.Ordinal);
        }
        finally
        {
            await bus.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Send_and_publish_under_OOM_fail_at_once_with_the_cause_and_the_fix()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        // A retry window longer than the test's deadline: only failing at once passes.
        await using var provider = BusOn(server.Port, TestNames.UniquePrefix(), o => o.WriteRetryTimeout = TimeSpan.FromMinutes(10));
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:oom-orders"));
            await endpoint.Send(new PingMessage(Guid.NewGuid()));
            await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);

            var send = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => endpoint.Send(new PingMessage(Guid.NewGuid())), TimeSpan.FromSeconds(30));
            var publish = await FailsWithinAsync<RedisStreamsOutOfMemoryException>(() => bus.Publish(new OrderSubmitted(Guid.NewGuid())), TimeSpan.FromSeconds(30));

            foreach (var failure in new Exception[] { send, publish })
            {
                Assert.Contains("out of memory", failure.Message, StringComparison.Ordinal);
                Assert.Contains("raise maxmemory", failure.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            await bus.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task A_restarted_endpoint_starts_and_drains_its_backlog_while_redis_is_out_of_memory()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var prefix = TestNames.UniquePrefix();
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        await using (var consumer = BusOn(server.Port, prefix, _ => { }))
        {
            // The endpoint ran once (queue, group and subscription exist), then stopped.
            var bus = consumer.GetRequiredService<IBusControl>();
            await bus.StartAsync(TimeSpan.FromSeconds(30));
            await bus.StopAsync(TimeSpan.FromSeconds(30));
        }

        await using (var publisher = BusOn(server.Port, prefix, _ => { }, withConsumer: false))
        {
            // Another application publishes meanwhile: the backlog waits for the stopped endpoint.
            var bus = publisher.GetRequiredService<IBusControl>();
            await bus.StartAsync(TimeSpan.FromSeconds(30));
            foreach (var id in ids)
            {
                await bus.Publish(new OrderSubmitted(id));
            }

            await bus.StopAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, ids.Count(id => Seen.Count(id) > 0));
        await RedisMemoryPressure.MakeOutOfMemoryAsync(server.Port);
        await using var second = BusOn(server.Port, prefix, _ => { });
        var restarted = second.GetRequiredService<IBusControl>();
        await restarted.StartAsync(TimeSpan.FromSeconds(30));
        try
        {
            Assert.True(
                await BusFixture.EventuallyAsync(() => Task.FromResult(ids.All(id => Seen.Count(id) >= 1)), TimeSpan.FromSeconds(60)),
                $"consumed {ids.Count(id => Seen.Count(id) >= 1)} of {ids.Count} under OOM");
        }
        finally
        {
            await restarted.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task With_required_replicas_and_none_attached_a_send_fails_with_the_replication_exception()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        await using var provider = BusOn(server.Port, TestNames.UniquePrefix(), o =>
        {
            o.RequiredReplicas = 1;
            o.ReplicationTimeout = TimeSpan.FromMilliseconds(100);
            o.WriteRetryTimeout = TimeSpan.FromSeconds(1);
        }, withConsumer: false);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:durable-orders"));

            var failure = await FailsWithinAsync<RedisStreamsReplicationException>(() => endpoint.Send(new PingMessage(Guid.NewGuid())), TimeSpan.FromSeconds(30));

            Assert.Equal(0, failure.ConfirmedReplicas);
            Assert.Contains("queue 'durable-orders'", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            await bus.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    static ServiceProvider BusOn(int port, string prefix, Action<RedisStreamsOptions> engine, bool withConsumer = true)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            if (withConsumer)
            {
                x.AddConsumer<OrderSubmittedConsumer>();
            }

            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host($"127.0.0.1:{port}");
                cfg.KeyPrefix = prefix;
                cfg.ConfigureEngine(engine);
                cfg.ConfigureEndpoints(context);
            });
        });
        return services.BuildServiceProvider(true);
    }

    static async Task<TException> FailsWithinAsync<TException>(Func<Task> action, TimeSpan deadline)
        where TException : Exception =>
        Assert.IsAssignableFrom<TException>(await Bounded.FailureWithinAsync(action, deadline));
}
