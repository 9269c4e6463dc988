using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using RedisStreams.Testing;

namespace RedisStreams.Transport.Tests.Behaviour;

public abstract partial class EngineBehaviour
{
    [Fact]
    public async Task Publish_writes_each_subscribed_queue_exactly_once()
    {
        // orders-a subscribes to the concrete topic and, through a link, to the interface topic too.
        await Client.Subscriptions.SubscribeAsync("OrderSubmitted", "orders-a");
        await Client.Subscriptions.SubscribeAsync("IOrderEvent", "orders-a");
        await Client.Subscriptions.SubscribeAsync("IOrderEvent", "orders-b");
        await Client.Subscriptions.SubscribeAsync("IEvent", "audit");
        await Client.Subscriptions.LinkTopicsAsync("OrderSubmitted", "IOrderEvent");
        await Client.Subscriptions.LinkTopicsAsync("IOrderEvent", "IEvent");
        await Client.Subscriptions.LinkTopicsAsync("IEvent", "OrderSubmitted");

        Assert.Equal(3, await Client.PublishAsync("OrderSubmitted", Message("o1")));
        Assert.Equal(0, await Client.PublishAsync("NobodyListens", Message("o2")));

        foreach (var queue in new[] { "orders-a", "orders-b", "audit" })
        {
            var receiver = await StartReceiverAsync(queue);
            Assert.Equal(["o1"], (await ReceiveAndAckAsync(receiver, 1)).Select(IdOf));
            await AssertNothingArrivesAsync(receiver, TimeSpan.FromMilliseconds(300));
        }
    }

    [Fact]
    public async Task Subscription_changes_are_seen_by_other_publishers_at_once()
    {
        var publisher = NewClient();
        Assert.Equal(0, await publisher.PublishAsync("topic", Message("before")));

        await Client.Subscriptions.SubscribeAsync("topic", "late-subscriber");
        Assert.Equal(1, await publisher.PublishAsync("topic", Message("after")));
        Assert.Equal(["late-subscriber"], await publisher.Subscriptions.GetSubscribersAsync("topic"));

        await Client.Subscriptions.UnsubscribeAsync("topic", "late-subscriber");
        Assert.Equal(0, await publisher.PublishAsync("topic", Message("gone")));
    }

    [Fact]
    public async Task Subscriptions_and_links_come_back_when_only_the_registry_keys_are_deleted()
    {
        var logs = new CapturingLoggerFactory();
        var endpoint = NewClient(o => o.SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200), logs);
        await endpoint.Subscriptions.SubscribeAsync("IEvent", "audit");
        await endpoint.Subscriptions.LinkTopicsAsync("OrderShipped", "IEvent");
        var receiver = await StartReceiverAsync("audit", endpoint);
        Assert.Equal(1, await Client.PublishAsync("OrderShipped", Message("before")));
        Assert.Empty(await ReceiveIdsAsync(receiver, ["before"]));

        // Nothing reconnects and no queue vanishes: only the periodic check can notice.
        Assert.NotEmpty(await DeleteRegistryKeysAsync());
        await PublishUntilRoutedAsync(Client, "OrderShipped");
        var after = Enumerable.Range(0, 20).Select(i => $"after-{i}").ToList();
        foreach (var id in after)
        {
            Assert.Equal(1, await Client.PublishAsync("OrderShipped", Message(id)));
        }

        Assert.Empty(await ReceiveIdsAsync(receiver, after));
        var warnings = logs.WithEventId(1040);
        Assert.Contains(warnings, w => w.Level == LogLevel.Warning && w.Message.Contains("'IEvent'", StringComparison.Ordinal) && w.Message.Contains("audit", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Level == LogLevel.Warning && w.Message.Contains("'OrderShipped'", StringComparison.Ordinal) && w.Message.Contains("IEvent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unsubscribe_made_by_another_client_is_not_undone()
    {
        var subscriber = NewClient(o => o.SubscriptionCheckInterval = TimeSpan.FromMilliseconds(100));
        await subscriber.Subscriptions.SubscribeAsync("newsletter", "reader");
        await Client.Subscriptions.UnsubscribeAsync("newsletter", "reader");

        // Ten checks later the subscriber has not put it back: nothing was lost, someone removed it.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(await Client.Subscriptions.GetSubscribersAsync("newsletter"));
        Assert.Equal(0, await subscriber.PublishAsync("newsletter", Message("issue-1")));
    }

    [Fact]
    public async Task Publishing_to_a_topic_nobody_subscribes_to_is_counted_and_logged()
    {
        var topic = $"unheard-{Guid.NewGuid():N}";
        long unrouted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RedisStreamsDiagnostics.MeterName && instrument.Name == "redisstreams.messages.unrouted")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "topic" && (string?)tag.Value == topic)
                {
                    Interlocked.Add(ref unrouted, value);
                }
            }
        });
        listener.Start();
        var logs = new CapturingLoggerFactory();
        var publisher = NewClient(logs: logs);

        Assert.Equal(0, await publisher.PublishAsync(topic, Message("1")));
        Assert.Equal(0, await publisher.PublishAsync(topic, Message("2")));
        await publisher.Subscriptions.SubscribeAsync(topic, "listener");
        Assert.Equal(1, await publisher.PublishAsync(topic, Message("3")));

        Assert.Equal(2, Interlocked.Read(ref unrouted));
        var debug = logs.WithEventId(1043);
        Assert.Equal(2, debug.Count);
        Assert.All(debug, d => Assert.Equal(LogLevel.Debug, d.Level));
        Assert.All(debug, d => Assert.Contains(topic, d.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Statistics_show_depth_pending_delayed_dead_letters_and_consumers()
    {
        for (var i = 0; i < 6; i++)
        {
            await Client.SendAsync("stats", Message($"{i}"));
        }

        await Client.SendAsync("stats", Message("later", delay: TimeSpan.FromMinutes(5)));
        var receiver = await StartReceiverAsync("stats", prefetch: 2);
        var first = (await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.DeadLetterAsync(first, "inspected");
        var second = (await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)))!;
        await WaitUntilAsync(async () => (await Client.GetQueueStatisticsAsync("stats")).Pending == 2, TimeSpan.FromSeconds(5));

        var stats = await Client.GetQueueStatisticsAsync("stats");
        Assert.Equal(5, stats.Length);
        Assert.Equal(3, stats.Waiting);
        Assert.Equal(2, stats.Pending);
        Assert.Equal(5, stats.Depth);
        Assert.Equal(1, stats.Delayed);
        Assert.Equal(1, stats.DeadLettered);
        Assert.NotNull(stats.OldestPendingAge);
        var consumer = Assert.Single(stats.Consumers);
        Assert.Equal(receiver.ConsumerName, consumer.Name);
        Assert.Equal(2, consumer.Pending);
        await receiver.AckAsync(second);
    }

    [Fact]
    public async Task Metrics_count_sent_received_and_acknowledged_messages()
    {
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RedisStreamsDiagnostics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "queue" && (string?)tag.Value == "metered")
                {
                    lock (measured)
                    {
                        measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
                    }
                }
            }
        });
        listener.Start();

        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("metered", Message($"{i}"));
        }

        var receiver = await StartReceiverAsync("metered");
        await ReceiveAndAckAsync(receiver, 3);

        lock (measured)
        {
            Assert.Equal(3, measured["redisstreams.messages.sent"]);
            Assert.Equal(3, measured["redisstreams.messages.received"]);
            Assert.Equal(3, measured["redisstreams.messages.acked"]);
        }
    }

    [Fact]
    public async Task A_borrowed_connection_stays_open_when_the_client_is_disposed()
    {
        var client = NewClient();
        await client.DisposeAsync();
        client.Dispose();

        Assert.True(Connection.IsConnected);
        await Client.SendAsync("still-open", Message("x"));
    }
}
