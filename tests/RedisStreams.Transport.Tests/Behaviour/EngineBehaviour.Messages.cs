using System.Text;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

public abstract partial class EngineBehaviour
{
    [Fact]
    public async Task Messages_sent_while_a_fetch_is_on_its_way_arrive_without_waiting_for_the_idle_poll()
    {
        // The idle poll far beyond the deadline: only doorbells bring these messages in time. One sent while a
        // fetch that comes back short is on its way rings the doorbell during that fetch; the receiver must look
        // again, not take the fetch's "drained" for the last word. Nothing is settled, so no freed slot wakes the
        // receiver either (as with an instance whose handlers hang), and the prefetch leaves room for all of them.
        const int count = 300;
        var client = NewClient(o =>
        {
            o.IdlePollInterval = TimeSpan.FromMinutes(10);
            o.ConsumerExpiry = TimeSpan.FromHours(1);
        });
        var receiver = await StartReceiverAsync("trickle", client, prefetch: 2 * count);
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await Client.SendAsync("trickle", Message($"m{i}"));
            }
        });

        var received = new List<InboundMessage>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            if (await receiver.ReceiveAsync(TimeSpan.FromMilliseconds(200)) is { } message)
            {
                received.Add(message);
            }
        }

        await sending;
        Assert.Equal(count, received.Count);
        foreach (var message in received)
        {
            await receiver.AckAsync(message);
        }
    }

    [Fact]
    public async Task Headers_and_binary_bodies_round_trip_exactly()
    {
        var big = new byte[1024 * 1024];
        Random.Shared.NextBytes(big);
        var headers = new Dictionary<string, string>
        {
            ["id"] = "1",
            ["$body"] = "a header named like the body field",
            ["$$twice"] = "dollar dollar",
            ["$ttl"] = "not a time to live",
            ["unicode-ключ-鍵"] = "значение 🚀",
            ["empty"] = string.Empty,
            [string.Empty] = "empty name",
            ["Content-Type"] = "application/vnd.masstransit+json",
        };
        var bodies = new[] { Array.Empty<byte>(), big, Encoding.UTF8.GetBytes("héllo wörld ✓"), [0, 255, 0, 13, 10] };
        foreach (var body in bodies)
        {
            await Client.SendAsync("round-trip", new OutgoingMessage(headers, body));
        }

        var receiver = await StartReceiverAsync("round-trip");
        var received = await ReceiveAndAckAsync(receiver, bodies.Length);

        Assert.Equal(bodies.Length, received.Count);
        for (var i = 0; i < bodies.Length; i++)
        {
            Assert.Equal(bodies[i], received[i].Body.ToArray());
            Assert.Equal(bodies[i], received[i].GetBodyArray());
            Assert.Equal(headers.OrderBy(h => h.Key, StringComparer.Ordinal), received[i].Headers.OrderBy(h => h.Key, StringComparer.Ordinal));
            Assert.Equal(1, received[i].DeliveryCount);
            Assert.Empty(received[i].TransportFields);
        }
    }

    [Fact]
    public async Task Entries_are_readable_with_xrange_one_field_per_header()
    {
        await Client.SendAsync("readable", new OutgoingMessage(new Dictionary<string, string> { ["MessageId"] = "42", ["$odd"] = "x" }, Encoding.UTF8.GetBytes("{\"hello\":1}")));

        var entry = Assert.Single(await Db.StreamRangeAsync(StreamKey("readable")));
        var fields = entry.Values.ToDictionary(v => (string)v.Name!, v => (string)v.Value!);
        Assert.Equal("42", fields["MessageId"]);
        Assert.Equal("x", fields["$$odd"]);
        Assert.Equal("{\"hello\":1}", fields["$body"]);
    }

    [Fact]
    public async Task Acknowledging_deletes_the_entry_so_memory_follows_the_backlog()
    {
        for (var i = 0; i < 50; i++)
        {
            await Client.SendAsync("ack-deletes", Message($"{i}"));
        }

        var receiver = await StartReceiverAsync("ack-deletes");
        var received = await ReceiveAndAckAsync(receiver, 50);

        Assert.Equal(50, received.Count);
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("ack-deletes")));
        var pending = await Db.StreamPendingAsync(StreamKey("ack-deletes"), "ack-deletes");
        Assert.Equal(0, pending.PendingMessageCount);
    }

    [Fact]
    public async Task Background_acks_land_before_stop_returns_and_nothing_comes_again()
    {
        for (var i = 0; i < 200; i++)
        {
            await Client.SendAsync("background-ack", Message($"{i}"));
        }

        var receiver = await StartReceiverAsync("background-ack");
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            ids.Add(IdOf(message));
            receiver.AckInBackground(message);
        }

        await receiver.StopAsync();

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{i}"), ids);
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("background-ack")));
        var pending = await Db.StreamPendingAsync(StreamKey("background-ack"), "background-ack");
        Assert.Equal(0, pending.PendingMessageCount);
        Assert.Null(await (await StartReceiverAsync("background-ack")).ReceiveAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Concurrent_small_batches_to_one_queue_keep_each_batchs_order()
    {
        var batches = Enumerable.Range(0, 50)
            .Select(b => Enumerable.Range(0, 4).Select(i => ("small-batches", Message($"{b}-{i}"))).ToList())
            .ToList();
        await Task.WhenAll(batches.Select(batch => Client.SendManyAsync(batch)));

        var receiver = await StartReceiverAsync("small-batches");
        var received = (await ReceiveAndAckAsync(receiver, 200)).Select(IdOf).ToList();

        Assert.Equal(200, received.Distinct().Count());
        for (var b = 0; b < 50; b++)
        {
            Assert.Equal(Enumerable.Range(0, 4).Select(i => $"{b}-{i}"), received.Where(id => id.StartsWith($"{b}-", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Send_many_pipelines_to_several_queues_in_order()
    {
        var batch = Enumerable.Range(0, 300).Select(i => ($"many-{i % 3}", Message($"{i}"))).ToList();
        await Client.SendManyAsync(batch);

        for (var q = 0; q < 3; q++)
        {
            var receiver = await StartReceiverAsync($"many-{q}");
            var received = await ReceiveAndAckAsync(receiver, 100);
            Assert.Equal(Enumerable.Range(0, 300).Where(i => i % 3 == q).Select(i => $"{i}"), received.Select(IdOf));
        }
    }

    [Fact]
    public async Task Expired_messages_are_never_delivered_and_are_removed()
    {
        await Client.SendAsync("expiry", Message("short", ttl: TimeSpan.FromMilliseconds(200)));
        await Client.SendAsync("expiry", Message("long", ttl: TimeSpan.FromMinutes(5)));
        await Client.SendAsync("expiry", Message("forever"));
        await Task.Delay(700);

        var receiver = await StartReceiverAsync("expiry");
        var received = await ReceiveAndAckAsync(receiver, 2);
        await AssertNothingArrivesAsync(receiver, TimeSpan.FromMilliseconds(700));

        Assert.Equal(["long", "forever"], received.Select(IdOf));
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("expiry")));
    }

    [Fact]
    public async Task Returned_message_is_redelivered_at_once_with_its_count_plus_one()
    {
        await Client.SendAsync("nack", Message("n"));
        var receiver = await StartReceiverAsync("nack");

        var first = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(first);
        Assert.Equal(1, first.DeliveryCount);
        await receiver.ReturnAsync(first);

        var second = await receiver.ReceiveAsync(TimeSpan.FromSeconds(2));
        Assert.NotNull(second);
        Assert.Equal(first.EntryId, second.EntryId);
        Assert.Equal(2, second.DeliveryCount);
        await receiver.ReturnAsync(second);

        // Another instance gets it next, before newer messages, with the count Redis kept.
        await Client.SendAsync("nack", Message("newer"));
        await receiver.StopAsync();
        var other = await StartReceiverAsync("nack", NewClient());
        var third = await other.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(third);
        Assert.Equal("n", IdOf(third));
        Assert.Equal(3, third.DeliveryCount);
    }

    [Fact]
    public async Task Malformed_entry_goes_to_dead_letter_and_the_loop_keeps_running()
    {
        await Client.ProvisionQueueAsync("malformed");
        await Db.StreamAddAsync(StreamKey("malformed"), "foo", "bar");
        await Db.StreamAddAsync(StreamKey("malformed"), [new NameValueEntry("$body", "x"), new NameValueEntry("$ttl", "soon")]);
        for (var i = 0; i < 5; i++)
        {
            await Client.SendAsync("malformed", Message($"{i}"));
        }

        // Prefetch 1: a leaked slot would stop everything after the first bad entry.
        var receiver = await StartReceiverAsync("malformed", prefetch: 1);
        var received = await ReceiveAndAckAsync(receiver, 5);

        Assert.Equal(["0", "1", "2", "3", "4"], received.Select(IdOf));
        var dead = await Client.ReadDeadLettersAsync("malformed");
        Assert.Equal(2, dead.Count);
        Assert.Contains("no '$body' field", dead[0].Reason, StringComparison.Ordinal);
        Assert.Equal("bar", dead[0].Fields["foo"]);
        Assert.Contains("$ttl", dead[1].Reason, StringComparison.Ordinal);
        Assert.Equal(0, receiver.HeldCount);
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("malformed")));
    }

    [Fact]
    public async Task Dead_letters_can_be_moved_back_to_their_queue()
    {
        await Client.SendAsync("requeue", Message("poison"));
        var receiver = await StartReceiverAsync("requeue");
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(message);
        await receiver.DeadLetterAsync(message, "handler gave up");

        var dead = Assert.Single(await Client.ReadDeadLettersAsync("requeue"));
        Assert.Equal("handler gave up", dead.Reason);
        Assert.Equal("poison", dead.Fields["id"]);

        Assert.Equal(1, await Client.RequeueDeadLettersAsync("requeue"));
        var again = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(again);
        Assert.Equal("poison", IdOf(again));
        Assert.Empty(again.TransportFields);
        Assert.Empty(await Client.ReadDeadLettersAsync("requeue"));
    }

    [Fact]
    public async Task Waiting_for_a_message_takes_nothing_and_ends_when_one_arrives()
    {
        var receiver = await StartReceiverAsync("wait-for-work");
        Assert.False(await receiver.WaitForMessageAsync(TimeSpan.FromMilliseconds(200)));

        var waiting = receiver.WaitForMessageAsync(Timeout.InfiniteTimeSpan).AsTask();
        Assert.False(waiting.IsCompleted);
        await Client.SendAsync("wait-for-work", Message("work"));
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));

        // Still there for whoever receives it.
        Assert.True(await receiver.WaitForMessageAsync(TimeSpan.Zero));
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("work", IdOf(message!));
        await receiver.AckAsync(message!);
        Assert.False(await receiver.WaitForMessageAsync(TimeSpan.Zero));

        await receiver.StopAsync();
        Assert.False(await receiver.WaitForMessageAsync(Timeout.InfiniteTimeSpan).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
