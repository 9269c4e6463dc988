using RedisStreams.Testing;
using System.Text;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>
/// Entries of any shape (queue names avoid "hostile": the hostile-names test claims every such key): more fields than a Lua script can unpack (Redis 7.0 stops at 7,999 values), foreign
/// entries, and entries whose dead-lettering fails. None of them may stall a batch, the reclaim loop or the mover.
/// </summary>
public abstract partial class EngineBehaviour
{
    [Fact]
    public async Task A_foreign_entry_of_ten_thousand_fields_in_the_middle_of_a_batch_is_dead_lettered_and_the_rest_delivered()
    {
        await Client.ProvisionQueueAsync("foreign-batch");
        for (var i = 0; i < 5; i++)
        {
            await Client.SendAsync("foreign-batch", Message($"{i}"));
        }

        await Db.StreamAddAsync(StreamKey("foreign-batch"), ForeignFields(10_000));
        for (var i = 5; i < 10; i++)
        {
            await Client.SendAsync("foreign-batch", Message($"{i}"));
        }

        var receiver = await StartReceiverAsync("foreign-batch", prefetch: 20);
        var received = await ReceiveAndAckAsync(receiver, 10);
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(DeadLetterKey("foreign-batch")) == 1, TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i}"), received.Select(IdOf));
        var dead = Assert.Single(await Client.ReadDeadLettersAsync("foreign-batch"));
        Assert.Contains("no '$body' field", dead.Reason, StringComparison.Ordinal);
        Assert.Equal("v0", dead.Fields["f0"]);
        Assert.Equal("v9999", dead.Fields["f9999"]);
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("foreign-batch")));
        Assert.Equal(0, (await Db.StreamPendingAsync(StreamKey("foreign-batch"), "foreign-batch")).PendingMessageCount);
        Assert.True(receiver.Health.IsHealthy);
    }

    [Fact]
    public async Task A_dead_lettered_foreign_entry_of_ten_thousand_fields_is_requeued_intact()
    {
        var original = ForeignFields(10_000);
        await Client.ProvisionQueueAsync("foreign-requeue");
        await Db.StreamAddAsync(StreamKey("foreign-requeue"), original);
        var receiver = await StartReceiverAsync("foreign-requeue");
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(DeadLetterKey("foreign-requeue")) == 1, TimeSpan.FromSeconds(10));

        // Stopped first: a running receiver would dead-letter the body-less entry again at once.
        await receiver.DisposeAsync();
        Assert.Equal(1, await Client.RequeueDeadLettersAsync("foreign-requeue"));

        var entry = Assert.Single(await Db.StreamRangeAsync(StreamKey("foreign-requeue")));
        Assert.Equal(original.Select(f => ((string)f.Name!, (string)f.Value!)), entry.Values.Select(f => ((string)f.Name!, (string)f.Value!)));
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetterKey("foreign-requeue")));
        Assert.Equal(0, await Db.HashLengthAsync(OversizedKey("foreign-requeue")));
    }

    [Fact]
    public async Task A_message_with_five_thousand_headers_round_trips_through_send_delay_dead_letter_and_requeue()
    {
        var headers = Enumerable.Range(0, 5000).ToDictionary(i => $"h{i}", i => $"value {i}");
        headers["id"] = "big";
        var body = new byte[64 * 1024];
        Random.Shared.NextBytes(body);
        var big = new OutgoingMessage(headers, body);
        var receiver = await StartReceiverAsync("many-headers", NewClient(o => o.DelayedPollInterval = TimeSpan.FromMilliseconds(100)));

        // In a batch between ordinary messages: the order of a batch holds.
        await Client.SendManyAsync([("many-headers", Message("before")), ("many-headers", big), ("many-headers", Message("after"))]);
        var sent = await ReceiveAndAckAsync(receiver, 3);
        Assert.Equal(["before", "big", "after"], sent.Select(IdOf));
        AssertIntact(sent[1]);

        await Client.SendAsync("many-headers", new OutgoingMessage(headers, body) { Delay = TimeSpan.FromMilliseconds(300) });
        var delayed = Assert.Single(await ReceiveAndAckAsync(receiver, 1));
        AssertIntact(delayed);

        await Client.SendAsync("many-headers", big);
        var doomed = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(doomed);
        await receiver.DeadLetterAsync(doomed, "handler gave up");
        var dead = Assert.Single(await Client.ReadDeadLettersAsync("many-headers"));
        Assert.Equal("handler gave up", dead.Reason);
        Assert.Equal("value 4999", dead.Fields["h4999"]);

        Assert.Equal(1, await Client.RequeueDeadLettersAsync("many-headers"));
        var requeued = Assert.Single(await ReceiveAndAckAsync(receiver, 1));
        AssertIntact(requeued);
        Assert.Empty(requeued.TransportFields);
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetterKey("many-headers")));

        void AssertIntact(InboundMessage message)
        {
            Assert.Equal(headers.OrderBy(h => h.Key, StringComparer.Ordinal), message.Headers.OrderBy(h => h.Key, StringComparer.Ordinal));
            Assert.Equal(body, message.Body.ToArray());
        }
    }

    [Fact]
    public async Task The_reclaim_loop_keeps_reclaiming_after_a_hostile_entry_is_reclaimed()
    {
        await Client.ProvisionQueueAsync("foreign-reclaim");
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("foreign-reclaim", Message($"a{i}"));
        }

        var hostile = await Db.StreamAddAsync(StreamKey("foreign-reclaim"), ForeignFields(10_000));
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("foreign-reclaim", Message($"b{i}"));
        }

        // A dead instance took everything; the hostile entry already went through a second death: a suspect.
        Assert.Equal(7, (await Db.StreamReadGroupAsync(StreamKey("foreign-reclaim"), "foreign-reclaim", "dead-1", ">", 10)).Length);
        await Db.StreamClaimAsync(StreamKey("foreign-reclaim"), "foreign-reclaim", "dead-2", 0, [hostile]);

        var survivor = await StartReceiverAsync("foreign-reclaim", NewClient(o => o.ClaimIdleTime = TimeSpan.FromSeconds(1)), prefetch: 10);
        var received = await ReceiveAndAckAsync(survivor, 6, TimeSpan.FromSeconds(30));

        Assert.Equal(["a0", "a1", "a2", "b0", "b1", "b2"], received.Select(IdOf).Order());
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(DeadLetterKey("foreign-reclaim")) == 1, TimeSpan.FromSeconds(10));
        Assert.Equal("v9999", Assert.Single(await Client.ReadDeadLettersAsync("foreign-reclaim")).Fields["f9999"]);
    }

    [Fact]
    public async Task A_hostile_entry_over_the_delivery_limit_is_dead_lettered_by_the_reclaim_script()
    {
        await Client.ProvisionQueueAsync("foreign-limit");
        var hostile = await Db.StreamAddAsync(StreamKey("foreign-limit"), ForeignFields(10_000));
        await Client.SendAsync("foreign-limit", Message("fine"));
        await Db.StreamReadGroupAsync(StreamKey("foreign-limit"), "foreign-limit", "dead-1", ">", 10);
        await Db.StreamClaimAsync(StreamKey("foreign-limit"), "foreign-limit", "dead-2", 0, [hostile]);
        await Db.StreamClaimAsync(StreamKey("foreign-limit"), "foreign-limit", "dead-3", 0, [hostile]);

        var survivor = await StartReceiverAsync("foreign-limit", NewClient(o =>
        {
            o.ClaimIdleTime = TimeSpan.FromSeconds(1);
            o.MaxDeliveryCount = 2;
        }));
        var received = await ReceiveAndAckAsync(survivor, 1, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(DeadLetterKey("foreign-limit")) == 1, TimeSpan.FromSeconds(20));

        Assert.Equal(["fine"], received.Select(IdOf));
        var dead = Assert.Single(await Client.ReadDeadLettersAsync("foreign-limit"));
        Assert.Contains("delivered 4 times", dead.Reason, StringComparison.Ordinal);
        Assert.Equal("v9999", dead.Fields["f9999"]);
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("foreign-limit")));
    }

    [Fact]
    public async Task An_entry_that_cannot_be_dead_lettered_is_isolated_and_everything_else_flows()
    {
        // The dead-letter stream's key holds a string, so every attempt to dead-letter fails with WRONGTYPE.
        await Db.StringSetAsync(DeadLetterKey("isolated"), "occupied");
        await Client.ProvisionQueueAsync("isolated");
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("isolated", Message($"d{i}"));
        }

        // A dead instance holds these: the reclaim loop must keep taking over while the bad entry fails.
        await Db.StreamReadGroupAsync(StreamKey("isolated"), "isolated", "dead-instance", ">", 3);
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("isolated", Message($"m{i}"));
        }

        var malformed = await Db.StreamAddAsync(StreamKey("isolated"), "foo", "bar");
        for (var i = 3; i < 6; i++)
        {
            await Client.SendAsync("isolated", Message($"m{i}"));
        }

        var logs = new CapturingLoggerFactory();
        var receiver = await StartReceiverAsync("isolated", NewClient(o => o.ClaimIdleTime = TimeSpan.FromSeconds(1), logs), prefetch: 20);
        var received = await ReceiveAndAckAsync(receiver, 9, TimeSpan.FromSeconds(30));

        Assert.Equal(["d0", "d1", "d2", "m0", "m1", "m2", "m3", "m4", "m5"], received.Select(IdOf).Order());
        await WaitUntilAsync(() => Task.FromResult(logs.Lines.Any(l => l.Contains("[1032]", StringComparison.Ordinal) && l.Contains(malformed.ToString(), StringComparison.Ordinal) && l.Contains("WRONGTYPE", StringComparison.Ordinal))), TimeSpan.FromSeconds(10));
        Assert.True(receiver.Health.IsHealthy);

        // Once the dead-letter stream can be written again, the isolated entry gets there on its next attempt.
        await Db.KeyDeleteAsync(DeadLetterKey("isolated"));
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(DeadLetterKey("isolated")) == 1, TimeSpan.FromSeconds(20));
        Assert.Equal("bar", Assert.Single(await Client.ReadDeadLettersAsync("isolated")).Fields["foo"]);
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(StreamKey("isolated")) == 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Lists_of_ids_longer_than_lua_can_unpack_are_given_back_and_taken_again()
    {
        const int count = 9_000;
        await Client.SendManyAsync(Enumerable.Range(0, count).Select(i => ("many-ids", Message($"{i}"))));
        var first = await StartReceiverAsync("many-ids", prefetch: 10_000);
        for (var i = 0; i < count; i++)
        {
            Assert.NotNull(await first.ReceiveAsync(TimeSpan.FromSeconds(20)));
        }

        // Stopped without settling: all 9,000 handed-out messages are given back in one go.
        await first.DisposeAsync();
        var pending = await Db.StreamPendingAsync(StreamKey("many-ids"), "many-ids");
        Assert.Equal(count, pending.Consumers.SingleOrDefault(c => c.Name == "~returned").PendingMessageCount);

        var second = await StartReceiverAsync("many-ids", NewClient(), prefetch: 10_000);
        var received = await ReceiveAndAckAsync(second, count, TimeSpan.FromSeconds(60));
        Assert.Equal(count, received.Select(IdOf).Distinct().Count());
        Assert.All(received, m => Assert.Equal(2, m.DeliveryCount));
    }

    [Fact]
    public async Task An_oversized_entry_left_staged_by_a_client_that_died_is_written_by_the_next_mover_pass()
    {
        var headers = Enumerable.Range(0, 5000).ToDictionary(i => $"h{i}", i => $"{i}");
        headers["id"] = "staged";
        var message = new OutgoingMessage(headers, Encoding.UTF8.GetBytes("staged body"));

        // What a mover or a requeue leaves behind when its process dies between staging and writing.
        await Db.HashSetAsync(OversizedKey("staged"), "token-1", PackedFields.Pack(StreamFields.Encode(message)));
        var receiver = await StartReceiverAsync("staged", NewClient(o => o.DelayedPollInterval = TimeSpan.FromMilliseconds(100)));

        var received = Assert.Single(await ReceiveAndAckAsync(receiver, 1));
        Assert.Equal(headers.OrderBy(h => h.Key, StringComparer.Ordinal), received.Headers.OrderBy(h => h.Key, StringComparer.Ordinal));
        Assert.Equal("staged body", Encoding.UTF8.GetString(received.Body.Span));
        Assert.Equal(0, await Db.HashLengthAsync(OversizedKey("staged")));
    }

    /// <summary>An entry no transport wrote: <paramref name="count"/> fields <c>f0=v0</c>… and no body.</summary>
    static NameValueEntry[] ForeignFields(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new NameValueEntry($"f{i}", $"v{i}"))];
}
