using RedisStreams.Testing;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>The delayed set and its payload hash out of step: nothing lost, nothing silent, nothing stalled.</summary>
public abstract partial class EngineBehaviour
{
    [Fact]
    public async Task Payloads_orphaned_by_deleting_the_delayed_set_go_to_the_dead_letter_stream_and_can_be_requeued()
    {
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("orphans", Message($"{i}", delay: TimeSpan.FromHours(1)));
        }

        await Db.KeyDeleteAsync(DelayedKey("orphans"));
        var logs = new CapturingLoggerFactory();
        var receiver = await StartReceiverAsync("orphans", NewClient(o => o.DelayedPollInterval = TimeSpan.FromMilliseconds(100), logs));

        await WaitUntilAsync(async () => await Db.HashLengthAsync(DelayedDataKey("orphans")) == 0, TimeSpan.FromSeconds(20));
        var dead = await Client.ReadDeadLettersAsync("orphans");
        Assert.Equal(["0", "1", "2"], dead.Select(d => d.Fields["id"]).Order());
        Assert.All(dead, d => Assert.Contains("no due time", d.Reason, StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("[1034]", StringComparison.Ordinal));

        Assert.Equal(3, await Client.RequeueDeadLettersAsync("orphans"));
        Assert.Equal(["0", "1", "2"], (await ReceiveAndAckAsync(receiver, 3)).Select(IdOf).Order());
    }

    [Fact]
    public async Task A_due_token_whose_payload_is_missing_is_logged_and_the_mover_goes_on()
    {
        await Db.SortedSetAddAsync(DelayedKey("missing-payload"), "lost-token", 0);
        var logs = new CapturingLoggerFactory();
        var receiver = await StartReceiverAsync("missing-payload", NewClient(o => o.DelayedPollInterval = TimeSpan.FromMilliseconds(100), logs));
        await Client.SendAsync("missing-payload", Message("later", delay: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(["later"], (await ReceiveAndAckAsync(receiver, 1)).Select(IdOf));
        await WaitUntilAsync(() => Task.FromResult(logs.Lines.Any(l => l.Contains("[1033]", StringComparison.Ordinal) && l.Contains("lost-token", StringComparison.Ordinal))), TimeSpan.FromSeconds(10));
        Assert.Equal(0, await Db.SortedSetLengthAsync(DelayedKey("missing-payload")));
    }

    [Fact]
    public async Task An_unreadable_scheduled_payload_is_dead_lettered_and_the_mover_goes_on()
    {
        var garbage = new byte[] { 0xc1, (byte)'n', (byte)'o', (byte)'t' };
        await Db.HashSetAsync(DelayedDataKey("garbled"), "garbled-token", garbage);
        await Db.SortedSetAddAsync(DelayedKey("garbled"), "garbled-token", 0);
        var receiver = await StartReceiverAsync("garbled", NewClient(o => o.DelayedPollInterval = TimeSpan.FromMilliseconds(100)));
        await Client.SendAsync("garbled", Message("fine", delay: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(["fine"], (await ReceiveAndAckAsync(receiver, 1)).Select(IdOf));
        var dead = Assert.Single(await Client.ReadDeadLettersAsync("garbled"));
        Assert.Contains("garbled-token", dead.Reason, StringComparison.Ordinal);
        var raw = (byte[]?)(await Db.StreamRangeAsync(DeadLetterKey("garbled")))[0].Values.Single(v => v.Name == "$dead-letter-payload").Value;
        Assert.Equal(garbage, raw);
        Assert.Equal(0, await Db.HashLengthAsync(DelayedDataKey("garbled")));
    }
}
