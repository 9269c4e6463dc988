using System.Collections.Concurrent;
using MassTransit;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Tests;

public class SlowConsumer : IConsumer<SlowMessage>
{
    public async Task Consume(ConsumeContext<SlowMessage> context)
    {
        Seen.Add(context.Message.Id);
        await Task.Delay(context.Message.Milliseconds);
    }
}

/// <summary>Records how many messages it handles at once.</summary>
public class ConcurrencyConsumer : IConsumer<SlowMessage>
{
    static readonly ConcurrentDictionary<string, int> Current = new();
    static readonly ConcurrentDictionary<string, int> Peak = new();

    public static int PeakOf(string endpoint) => Peak.TryGetValue(endpoint, out var n) ? n : 0;

    public async Task Consume(ConsumeContext<SlowMessage> context)
    {
        var key = context.ReceiveContext.InputAddress.ToString();
        var now = Current.AddOrUpdate(key, 1, (_, n) => n + 1);
        Peak.AddOrUpdate(key, now, (_, n) => Math.Max(n, now));
        try
        {
            await Task.Delay(context.Message.Milliseconds);
            Seen.Add(context.Message.Id);
        }
        finally
        {
            Current.AddOrUpdate(key, 0, (_, n) => n - 1);
        }
    }
}

public class ReliabilitySpecs
{
    [Fact]
    public async Task A_slow_consumer_keeps_its_message_past_the_claim_idle_time_and_is_not_delivered_twice()
    {
        await using var first = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("slow", e =>
        {
            e.ClaimIdleTime = TimeSpan.FromSeconds(1);
            e.Consumer<SlowConsumer>();
        }));
        await using var second = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("slow", e =>
        {
            e.ClaimIdleTime = TimeSpan.FromSeconds(1);
            e.Consumer<SlowConsumer>();
        }), prefix: first.Prefix);
        var id = Guid.NewGuid();
        await (await first.Bus.GetSendEndpoint(new Uri("queue:slow"))).Send(new SlowMessage(id, 4000));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(id) == 1)));
        Assert.True(await BusFixture.EventuallyAsync(async () => (await first.Inspector.GetQueueStatisticsAsync("slow")).Depth == 0, TimeSpan.FromSeconds(20)));
        Assert.Equal(1, Seen.Count(id));
    }

    [Fact]
    public async Task Messages_held_by_a_killed_instance_are_reclaimed_and_consumed_by_another()
    {
        var redis = await RedisStreams.Testing.RedisTestEnvironment.GetStandaloneAsync();
        var prefix = RedisStreams.Testing.TestNames.UniquePrefix();
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();

        // An instance that takes messages and dies without settling them: its connection is gone.
        var doomedConnection = await redis.ConnectAsync("doomed-instance");
        var doomed = new RedisStreamsClient(doomedConnection, new RedisStreamsOptions { KeyPrefix = prefix, ClaimIdleTime = TimeSpan.FromSeconds(1) });
        await using (var sender = await BusFixture.StartAsync(prefix: prefix))
        {
            var endpoint = await sender.Bus.GetSendEndpoint(new Uri("queue:orphans"));
            var receiver = doomed.CreateReceiver("orphans");
            await receiver.StartAsync();
            foreach (var id in ids)
            {
                await endpoint.Send(new PingMessage(id));
            }

            for (var i = 0; i < ids.Count; i++)
            {
                Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)));
            }

            doomedConnection.Dispose();
        }

        await using var survivor = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("orphans", e =>
        {
            e.ClaimIdleTime = TimeSpan.FromSeconds(1);
            e.Consumer<PingConsumer>();
        }), prefix: prefix);

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(ids.All(id => Seen.Count(id) == 1)), TimeSpan.FromSeconds(30)));
        Assert.True(await BusFixture.EventuallyAsync(async () => (await survivor.Inspector.GetQueueStatisticsAsync("orphans")).Depth == 0));
    }

    [Fact]
    public async Task A_crash_loop_the_consumer_never_sees_ends_in_the_dead_letter_stream_after_max_delivery_count()
    {
        var redis = await RedisStreams.Testing.RedisTestEnvironment.GetStandaloneAsync();
        var prefix = RedisStreams.Testing.TestNames.UniquePrefix();
        var id = Guid.NewGuid();
        await using (var sender = await BusFixture.StartAsync(prefix: prefix))
        {
            await (await sender.Bus.GetSendEndpoint(new Uri("queue:crashy"))).Send(new PingMessage(id));
        }

        // Two instances in a row take the message and go away without settling it.
        var connection = await redis.ConnectAsync("crashing-instance");
        var crashing = new RedisStreamsClient(connection, new RedisStreamsOptions { KeyPrefix = prefix, MaxDeliveryCount = 2 });
        for (var i = 0; i < 2; i++)
        {
            var receiver = crashing.CreateReceiver("crashy");
            await receiver.StartAsync();
            Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)));
            await receiver.DisposeAsync();
        }

        connection.Dispose();
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("crashy", e =>
        {
            e.MaxDeliveryCount = 2;
            e.Consumer<PingConsumer>();
        }), prefix: prefix);

        Assert.True(await BusFixture.EventuallyAsync(async () => (await bus.Inspector.GetQueueStatisticsAsync("crashy")).DeadLettered == 1));
        var deadLetter = (await bus.Inspector.ReadDeadLettersAsync("crashy")).Single();
        Assert.Contains("deliver", deadLetter.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, Seen.Count(id));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Never_more_messages_in_flight_than_the_concurrent_message_limit(int limit)
    {
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) =>
        {
            cfg.PrefetchCount = 10;
            cfg.ReceiveEndpoint("limited", e =>
            {
                e.ConcurrentMessageLimit = limit;
                e.Consumer<ConcurrencyConsumer>();
            });
        });
        var ids = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToList();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:limited"));
        await Task.WhenAll(ids.Select(id => endpoint.Send(new SlowMessage(id, 100))));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(ids.All(id => Seen.Count(id) == 1)), TimeSpan.FromSeconds(30)));
        var peak = ConcurrencyConsumer.PeakOf(new Uri(bus.Harness.Bus.Address, "/" + Uri.EscapeDataString(bus.Prefix) + "/limited").ToString());
        Assert.InRange(peak, 1, limit);
    }
}
