using System.Collections.Concurrent;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

public abstract partial class EngineBehaviour
{
    [Fact]
    public async Task Competing_consumers_get_each_message_exactly_once()
    {
        const int count = 600;
        var receivers = new List<QueueReceiver>();
        for (var i = 0; i < 3; i++)
        {
            receivers.Add(await StartReceiverAsync("competing", await NewIsolatedClientAsync(), prefetch: 8));
        }

        var sending = Client.SendManyAsync(Enumerable.Range(0, count).Select(i => ("competing", Message($"{i}"))));
        var perReceiver = await Task.WhenAll(receivers.Select(async r => (await ReceiveAndAckAsync(r, count, TimeSpan.FromSeconds(8))).Select(IdOf).ToList()));
        await sending;

        var all = perReceiver.SelectMany(ids => ids).ToList();
        Assert.Equal(count, all.Count);
        Assert.Equal(count, all.Distinct().Count());
        Assert.All(perReceiver, ids => Assert.NotEmpty(ids));
        Assert.Equal(3, receivers.Select(r => r.ConsumerName).Distinct().Count());
    }

    [Fact]
    public async Task Messages_of_a_consumer_that_died_are_reclaimed_by_another()
    {
        for (var i = 0; i < 5; i++)
        {
            await Client.SendAsync("reclaim", Message($"{i}"));
        }

        // A consumer reads and dies without acknowledging: its entries stay pending under its name.
        await Client.ProvisionQueueAsync("reclaim");
        var taken = await Db.StreamReadGroupAsync(StreamKey("reclaim"), "reclaim", "dead-instance", ">", 5);
        Assert.Equal(5, taken.Length);

        var survivor = await StartReceiverAsync("reclaim", NewClient(o => o.ClaimIdleTime = TimeSpan.FromSeconds(1)));
        var received = await ReceiveAndAckAsync(survivor, 5, TimeSpan.FromSeconds(15));

        Assert.Equal(["0", "1", "2", "3", "4"], received.Select(IdOf).Order());
        Assert.All(received, m => Assert.Equal(2, m.DeliveryCount));
    }

    [Fact]
    public async Task Messages_of_a_dead_consumer_are_taken_over_one_at_a_time()
    {
        for (var i = 0; i < 5; i++)
        {
            await Client.SendAsync("one-at-a-time", Message($"{i}"));
        }

        await Client.ProvisionQueueAsync("one-at-a-time");
        await Db.StreamReadGroupAsync(StreamKey("one-at-a-time"), "one-at-a-time", "died-holding-five", ">", 5);

        // If one of them killed its consumer, the others must not die with it again: the survivor holds one.
        var survivor = await StartReceiverAsync("one-at-a-time", NewClient(o => o.ClaimIdleTime = TimeSpan.FromSeconds(1)), prefetch: 10);
        var received = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var message = await survivor.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            Assert.Equal(1, survivor.HeldCount);
            Assert.Equal(2, message.DeliveryCount);
            received.Add(IdOf(message));
            await survivor.AckAsync(message);
        }

        Assert.Equal(["0", "1", "2", "3", "4"], received);
    }

    [Fact]
    public async Task Long_handlers_are_renewed_and_never_processed_twice()
    {
        var options = (Action<RedisStreamsOptions>)(o => o.ClaimIdleTime = TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("renew", Message($"slow-{i}"));
        }

        var worker = await StartReceiverAsync("renew", NewClient(options));
        var held = new List<InboundMessage>();
        for (var i = 0; i < 3; i++)
        {
            held.Add((await worker.ReceiveAsync(TimeSpan.FromSeconds(10)))!);
        }

        // Another instance looks for abandoned messages every half second while the handlers work for 4 s.
        var other = await StartReceiverAsync("renew", NewClient(options));
        await AssertNothingArrivesAsync(other, TimeSpan.FromSeconds(4));
        foreach (var message in held)
        {
            await worker.AckAsync(message);
        }

        await AssertNothingArrivesAsync(other, TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("renew")));
        Assert.All(held, m => Assert.Equal(1, m.DeliveryCount));
    }

    [Fact]
    public async Task Buffered_messages_are_handed_back_at_once_on_stop()
    {
        for (var i = 0; i < 10; i++)
        {
            await Client.SendAsync("handback", Message($"{i}"));
        }

        var first = await StartReceiverAsync("handback", prefetch: 10);
        var one = await first.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(one);
        while (first.HeldCount < 10)
        {
            await Task.Delay(20);
        }

        var stopping = first.StopAsync();
        await first.AckAsync(one);
        await stopping;

        // ClaimIdleTime is 30 s: only an immediate hand-back lets the next instance see them now.
        var second = await StartReceiverAsync("handback", NewClient());
        var rest = await ReceiveAndAckAsync(second, 9, TimeSpan.FromSeconds(5));
        Assert.Equal(9, rest.Count);
        Assert.DoesNotContain(IdOf(one), rest.Select(IdOf));
    }

    [Fact]
    public async Task A_crash_loop_ends_in_the_dead_letter_stream_with_the_reason()
    {
        await Client.SendAsync("crash-loop", Message("poison"));
        await Client.SendAsync("crash-loop", Message("fine"));
        await Client.ProvisionQueueAsync("crash-loop");

        // Three instances took the message and died with it: Redis counted three deliveries.
        var poison = (await Db.StreamReadGroupAsync(StreamKey("crash-loop"), "crash-loop", "dead-1", ">", 1))[0];
        await Db.StreamClaimAsync(StreamKey("crash-loop"), "crash-loop", "dead-2", 0, [poison.Id]);
        await Db.StreamClaimAsync(StreamKey("crash-loop"), "crash-loop", "dead-3", 0, [poison.Id]);

        var receiver = await StartReceiverAsync("crash-loop", NewClient(o =>
        {
            o.ClaimIdleTime = TimeSpan.FromSeconds(1);
            o.MaxDeliveryCount = 3;
        }));
        var received = await ReceiveAndAckAsync(receiver, 1);
        await WaitUntilAsync(async () => (await Client.ReadDeadLettersAsync("crash-loop")).Count == 1, TimeSpan.FromSeconds(10));

        Assert.Equal(["fine"], received.Select(IdOf));
        var dead = Assert.Single(await Client.ReadDeadLettersAsync("crash-loop"));
        Assert.Contains("delivered 4 times", dead.Reason, StringComparison.Ordinal);
        Assert.Equal("poison", dead.Fields["id"]);
        Assert.Equal(poison.Id.ToString(), dead.Fields["$dead-letter-entry-id"]);
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("crash-loop")));
    }

    [Fact]
    public async Task A_message_given_back_too_often_is_dead_lettered()
    {
        await Client.SendAsync("return-loop", Message("boomerang"));
        var receiver = await StartReceiverAsync("return-loop", NewClient(o => o.MaxDeliveryCount = 3));
        var deliveries = new List<int>();
        while (true)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(2));
            if (message is null)
            {
                break;
            }

            deliveries.Add(message.DeliveryCount);
            await receiver.ReturnAsync(message);
        }

        Assert.Equal([1, 2, 3], deliveries);
        var dead = Assert.Single(await Client.ReadDeadLettersAsync("return-loop"));
        Assert.Equal("4", dead.Fields["$dead-letter-delivery-count"]);
    }

    [Fact]
    public async Task Delivery_counts_come_from_redis_and_survive_a_restart()
    {
        await Client.SendAsync("restart-count", Message("m"));
        var first = await StartReceiverAsync("restart-count", await NewIsolatedClientAsync());
        var message = await first.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(message);
        await first.DisposeAsync();

        var second = await StartReceiverAsync("restart-count", await NewIsolatedClientAsync());
        var again = await second.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(again);
        Assert.Equal(message.EntryId, again.EntryId);
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task Prefetch_limits_what_one_receiver_holds()
    {
        for (var i = 0; i < 20; i++)
        {
            await Client.SendAsync("prefetch", Message($"{i}"));
        }

        var receiver = await StartReceiverAsync("prefetch", prefetch: 4);
        var held = new List<InboundMessage>();
        for (var i = 0; i < 4; i++)
        {
            held.Add((await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)))!);
        }

        await AssertNothingArrivesAsync(receiver, TimeSpan.FromMilliseconds(600));
        var stats = await Client.GetQueueStatisticsAsync("prefetch");
        Assert.Equal(4, stats.Pending);
        Assert.Equal(16, stats.Waiting);

        await receiver.AckAsync(held[0]);
        Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Restarting_an_instance_a_hundred_times_leaves_no_consumer_litter()
    {
        await Client.SendAsync("litter", Message("m"));
        for (var i = 0; i < 100; i++)
        {
            var receiver = Client.CreateReceiver("litter");
            await receiver.StartAsync();
            if (i == 50)
            {
                // Fifty instances prefetched it and gave it back unprocessed: none of that counts as a delivery.
                var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
                Assert.NotNull(message);
                Assert.Equal(1, message.DeliveryCount);
                await receiver.AckAsync(message);
            }

            await receiver.StopAsync();
            await receiver.DisposeAsync();
        }

        var consumers = await Db.StreamConsumerInfoAsync(StreamKey("litter"), "litter");
        Assert.DoesNotContain(consumers, c => c.Name != "~returned");
    }

    [Fact]
    public async Task Consumers_of_dead_instances_that_hold_nothing_are_swept()
    {
        await Client.SendAsync("sweep", Message("1"));
        await Client.SendAsync("sweep", Message("2"));
        await Client.ProvisionQueueAsync("sweep");

        // Two instances each took a message, acknowledged it and died: they hold nothing but stay listed.
        foreach (var ghost in new[] { "ghost-1", "ghost-2" })
        {
            var taken = await Db.StreamReadGroupAsync(StreamKey("sweep"), "sweep", ghost, ">", 1);
            await Db.StreamAcknowledgeAsync(StreamKey("sweep"), "sweep", taken[0].Id);
        }

        Assert.Equal(2, (await Db.StreamConsumerInfoAsync(StreamKey("sweep"), "sweep")).Length);

        var receiver = await StartReceiverAsync("sweep", NewClient(o =>
        {
            o.IdlePollInterval = TimeSpan.FromMilliseconds(100);
            o.ConsumerExpiry = TimeSpan.FromSeconds(1);
        }));

        await WaitUntilAsync(
            async () => (await Db.StreamConsumerInfoAsync(StreamKey("sweep"), "sweep")).All(c => c.Name == receiver.ConsumerName),
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_stream_deleted_at_runtime_is_provisioned_again()
    {
        var receiver = await StartReceiverAsync("vanishing");
        await Client.SendAsync("vanishing", Message("before"));
        Assert.Single(await ReceiveAndAckAsync(receiver, 1));

        await Db.KeyDeleteAsync(StreamKey("vanishing"));
        await Client.SendAsync("vanishing", Message("after"));

        var received = await ReceiveAndAckAsync(receiver, 1, TimeSpan.FromSeconds(10));
        Assert.Equal(["after"], received.Select(IdOf));
        Assert.True(receiver.Health.IsHealthy);
    }

    [Fact]
    public async Task Killing_client_connections_mid_stream_loses_nothing()
    {
        const int count = 2000;
        var producer = await NewIsolatedClientAsync();
        var receiver = await StartReceiverAsync("kill", await NewIsolatedClientAsync(), prefetch: 32);
        var received = new ConcurrentDictionary<string, int>();

        var consuming = Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (received.Count < count && DateTime.UtcNow < deadline)
            {
                var message = await receiver.ReceiveAsync(TimeSpan.FromMilliseconds(200));
                if (message is null)
                {
                    continue;
                }

                received.AddOrUpdate(IdOf(message), 1, (_, n) => n + 1);
                try
                {
                    await receiver.AckAsync(message);
                }
                catch (RedisException)
                {
                    // An ack lost to a dead connection means a redelivery later, never a loss.
                }
            }
        });

        for (var batch = 0; batch < 20; batch++)
        {
            var messages = Enumerable.Range(batch * 100, 100).Select(i => ("kill", Message($"{i}"))).ToList();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await producer.SendManyAsync(messages);
                    break;
                }
                catch (RedisException) when (attempt < 20)
                {
                    // The producer retries a batch it is not sure was written: at-least-once.
                    await Task.Delay(200);
                }
            }

            if (batch % 5 == 2)
            {
                Assert.True(await Redis.KillClientConnectionsAsync() > 0);
            }
        }

        await consuming;
        var missing = Enumerable.Range(0, count).Select(i => $"{i}").Where(id => !received.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} message(s) lost, e.g. {string.Join(", ", missing.Take(10))}");
    }

    static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition did not hold within {within}.");
            await Task.Delay(100);
        }
    }
}
