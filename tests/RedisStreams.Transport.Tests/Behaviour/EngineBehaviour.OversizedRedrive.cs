using System.Text;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>
/// The operator's redrive with entries too large for a script to write (more field values than Lua can unpack):
/// dead letters whose fields were packed in <c>$dead-letter-fields</c>, error-queue entries with thousands of headers.
/// Each moves intact, atomically, through one script (same slot) or the three-step protocol (across slots).
/// </summary>
public abstract partial class EngineBehaviour
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Oversized_dead_letters_are_redriven_intact(bool crossSlotProtocol)
    {
        var queue = crossSlotProtocol ? "big-dead-protocol" : "big-dead";
        var big = ManyHeaders("big", 5000);
        var foreign = ForeignFields(10_000);
        await Client.SendAsync(queue, big);
        await Db.StreamAddAsync(StreamKey(queue), foreign);
        var receiver = await StartReceiverAsync(queue);
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(message);
        await receiver.DeadLetterAsync(message, "gave up");
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(DeadLetterKey(queue)) == 2, TimeSpan.FromSeconds(10));

        // Stopped: a running receiver would dead-letter the body-less foreign entry again at once.
        await receiver.DisposeAsync();
        var dead = await Db.StreamRangeAsync(DeadLetterKey(queue));
        Assert.All(dead, e => Assert.Contains(e.Values, v => v.Name == "$dead-letter-fields"));
        var foreignId = (string)dead.Single(e => e.Values.Any(v => ((string)v.Value!).StartsWith("malformed", StringComparison.Ordinal))).Id!;
        var redriver = NewClient();
        redriver.ForceRedriveProtocol = crossSlotProtocol;

        var dry = await redriver.RedriveDeadLettersAsync(queue, RedriveRequest.All with { DryRun = true });
        Assert.Equal(2, dry.Moved);
        var foreignBack = await redriver.RedriveDeadLettersAsync(queue, RedriveRequest.ByIds(foreignId) with { KeepFaultHeaders = true });
        var bigBack = await redriver.RedriveDeadLettersAsync(queue, RedriveRequest.All);

        foreach (var report in new[] { foreignBack, bigBack })
        {
            var item = Assert.Single(report.Items);
            Assert.True(item.Outcome == RedriveOutcome.Moved && item.NewEntryId is not null && item.Note is null, item.ToString());
        }

        var entries = await Db.StreamRangeAsync(StreamKey(queue));
        Assert.Equal([foreignBack.Items[0].NewEntryId, bigBack.Items[0].NewEntryId], entries.Select(e => (string?)e.Id));
        Assert.Equal(Pairs(foreign), Pairs(entries[0].Values).Take(foreign.Length));
        Assert.Contains(entries[0].Values, v => v.Name == "$dead-letter-reason" && ((string)v.Value!).StartsWith("malformed", StringComparison.Ordinal));
        Assert.DoesNotContain(entries[0].Values, v => v.Name == "$dead-letter-fields");
        Assert.Equal(Pairs(StreamFields.Encode(big)), Pairs(entries[1].Values));
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetterKey(queue)));
        Assert.Equal(0, await Db.HashLengthAsync(OversizedKey(queue)));
        Assert.Equal(0, (await Client.GetQueueSummariesAsync([queue]))[0].InRedrive);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_oversized_error_queue_entry_is_redriven_intact(bool acrossSlots)
    {
        const string errorQueue = "bulk_error";

        // Same slot: one script, on a Cluster too. Across slots: the three-step protocol, on one server too.
        var destination = acrossSlots ? "bulk" : QueueInSlotOf(errorQueue, "bulk");
        var redriver = NewClient();
        redriver.ForceRedriveProtocol = acrossSlots;
        var big = ManyHeaders("big", 5000);
        var failed = new Dictionary<string, string>(big.Headers) { ["MT-Reason"] = "fault", ["MT-Fault-Message"] = "boom", ["MT-Fault-InputAddress"] = $"queue:{destination}" };
        await Client.SendAsync(errorQueue, Message("small-before"));
        await Client.SendAsync(errorQueue, new OutgoingMessage(failed, big.Body));
        await Client.SendAsync(errorQueue, Message("small-after"));

        var report = await redriver.RedriveErrorQueueAsync(errorQueue, RedriveRequest.All with { Destination = destination });

        Assert.Equal(new Dictionary<string, long> { [destination] = 3 }, report.MovedTo);
        Assert.All(report.Items, i => Assert.True(i.Outcome == RedriveOutcome.Moved && i.NewEntryId is not null && i.Note is null, i.ToString()));
        var moved = (await Client.PeekAsync(destination, count: 10)).Messages;
        Assert.Equal(["small-before", "big", "small-after"], moved.Select(m => m.Headers["id"]));
        var bigMoved = moved.Single(m => m.Headers["id"] == "big");
        Assert.Equal(big.Headers.OrderBy(h => h.Key, StringComparer.Ordinal), bigMoved.Headers.OrderBy(h => h.Key, StringComparer.Ordinal));
        Assert.Equal(big.Body.ToArray(), bigMoved.Body.ToArray());
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey(errorQueue)));
        Assert.Equal(0, await Db.HashLengthAsync(OversizedKey(destination)));
        Assert.Equal(0, (await Client.GetQueueSummariesAsync([errorQueue]))[0].InRedrive);

        var receiver = await StartReceiverAsync(destination);
        var received = await ReceiveAndAckAsync(receiver, 3);
        Assert.Equal(["small-before", "big", "small-after"], received.Select(IdOf));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_cross_slot_redrive_of_an_oversized_entry_interrupted_at_any_step_writes_it_once(int crashAfterStep)
    {
        var big = ManyHeaders("big", 5000);
        await Client.SendAsync("huge_error", new OutgoingMessage(new Dictionary<string, string>(big.Headers) { ["MT-Reason"] = "fault" }, big.Body));
        var crashing = NewClient();
        crashing.ForceRedriveProtocol = true;
        crashing.StopRedriveAfterStep = crashAfterStep;

        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.RedriveErrorQueueAsync("huge_error", RedriveRequest.All));

        // Parked in the error queue's redrive hash and, after step 2, staged at the destination too; never in neither.
        Assert.Equal(1, (await Client.GetQueueSummariesAsync(["huge_error"]))[0].InRedrive);
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("huge_error")));
        Assert.Equal(crashAfterStep == 2 ? 1 : 0, await Db.HashLengthAsync(OversizedKey("huge")));
        Assert.Equal(0, await Db.StreamLengthAsync(StreamKey("huge")));

        var resuming = NewClient();
        resuming.ForceRedriveProtocol = true;
        var report = await resuming.RedriveErrorQueueAsync("huge_error", RedriveRequest.All);

        Assert.Equal(1, report.Moved);
        Assert.Equal(1, report.Resumed);
        var entry = Assert.Single(await Db.StreamRangeAsync(StreamKey("huge")));
        Assert.Equal(Pairs(StreamFields.Encode(big)), Pairs(entry.Values));
        Assert.Equal(0, await Db.HashLengthAsync(OversizedKey("huge")));
        Assert.Equal(0, (await Client.GetQueueSummariesAsync(["huge_error"]))[0].InRedrive);
    }

    [Fact]
    public async Task A_redriven_oversized_entry_whose_write_fails_waits_staged_and_the_next_mover_pass_writes_it()
    {
        var big = ManyHeaders("big", 5000);
        await Client.SendAsync("blocked", big);
        var receiver = await StartReceiverAsync("blocked");
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(message);
        await receiver.DeadLetterAsync(message, "gave up");
        await receiver.DisposeAsync();

        // The queue's stream key holds something else, so writing to it fails after the script staged the entry.
        await Db.KeyDeleteAsync(StreamKey("blocked"));
        await Db.StringSetAsync(StreamKey("blocked"), "occupied");
        var report = await Client.RedriveDeadLettersAsync("blocked", RedriveRequest.All);

        var item = Assert.Single(report.Items);
        Assert.Equal(RedriveOutcome.Moved, item.Outcome);
        Assert.Null(item.NewEntryId);
        Assert.Contains("waits in the oversized hash of 'blocked'", item.Note, StringComparison.Ordinal);
        Assert.Contains("WRONGTYPE", item.Note, StringComparison.Ordinal);
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetterKey("blocked")));
        Assert.Equal(1, await Db.HashLengthAsync(OversizedKey("blocked")));

        await Db.KeyDeleteAsync(StreamKey("blocked"));
        var mover = await StartReceiverAsync("blocked", NewClient(o => o.DelayedPollInterval = TimeSpan.FromMilliseconds(100)));
        var back = Assert.Single(await ReceiveAndAckAsync(mover, 1));
        Assert.Equal(big.Headers.OrderBy(h => h.Key, StringComparer.Ordinal), back.Headers.OrderBy(h => h.Key, StringComparer.Ordinal));
        Assert.Equal(0, await Db.HashLengthAsync(OversizedKey("blocked")));
    }

    [Fact]
    public async Task A_queue_holding_only_a_staged_oversized_entry_is_listed_expired_purged_and_removed()
    {
        var packed = PackedFields.Pack(StreamFields.Encode(ManyHeaders("big", 5000)));
        await Db.HashSetAsync(OversizedKey("staged-only"), "token-1", packed);

        Assert.Contains("staged-only", await Client.ListQueueNamesAsync());
        await Client.ExpireQueueAsync("staged-only", TimeSpan.FromHours(1));
        Assert.NotNull(await Db.KeyTimeToLiveAsync(OversizedKey("staged-only")));
        Assert.Equal(1, await Client.PurgeQueueAsync("staged-only", mustExist: true));
        Assert.False(await Db.KeyExistsAsync(OversizedKey("staged-only")));

        await Db.HashSetAsync(OversizedKey("staged-only"), "token-2", packed);
        await Client.RemoveQueueAsync("staged-only");
        Assert.False(await Db.KeyExistsAsync(OversizedKey("staged-only")));
        Assert.DoesNotContain("staged-only", await Client.ListQueueNamesAsync());
    }

    /// <summary>A message with <paramref name="headerCount"/> headers (and its id): more field values than a script may write.</summary>
    static OutgoingMessage ManyHeaders(string id, int headerCount)
    {
        var headers = Enumerable.Range(0, headerCount).ToDictionary(i => $"h{i}", i => $"value {i}");
        headers["id"] = id;
        var body = new byte[16 * 1024];
        Random.Shared.NextBytes(body);
        return new OutgoingMessage(headers, body);
    }

    /// <summary>A queue name starting with <paramref name="stem"/> whose keys share <paramref name="queue"/>'s hash slot (any name on one server).</summary>
    string QueueInSlotOf(string queue, string stem)
    {
        var slot = Connection.HashSlot(StreamKey(queue));
        for (var i = 0; ; i++)
        {
            var candidate = $"{stem}-{i}";
            if (Connection.HashSlot(StreamKey(candidate)) == slot)
            {
                return candidate;
            }
        }
    }

    /// <summary>Field names and values (as hex, so bodies compare byte for byte), in order.</summary>
    static List<(string, string)> Pairs(NameValueEntry[] fields) => [.. fields.Select(f => ((string)f.Name!, Convert.ToHexString((byte[])f.Value!)))];

    static List<(string, string)> Pairs(RedisValue[] fields) => [.. fields.Chunk(2).Select(f => ((string)f[0]!, Convert.ToHexString((byte[])f[1]!)))];
}
