namespace RedisStreams.Transport.Tests.Behaviour;

public abstract partial class EngineBehaviour
{
    [Fact]
    public async Task Delayed_messages_with_five_movers_racing_arrive_once_each_and_not_early()
    {
        const int count = 200;
        var receivers = new List<QueueReceiver>();
        for (var i = 0; i < 5; i++)
        {
            receivers.Add(await StartReceiverAsync("delayed", await NewIsolatedClientAsync(o => o.DelayedPollInterval = TimeSpan.FromMilliseconds(50)), prefetch: 50));
        }

        var serverTimeBefore = await ServerTimeMillisecondsAsync();
        var delays = Enumerable.Range(0, count).ToDictionary(i => $"{i}", i => TimeSpan.FromMilliseconds(200 + (i * 7 % 1300)));
        await Client.SendManyAsync(delays.Select(d => ("delayed", Message(d.Key, delay: d.Value))));

        var perReceiver = await Task.WhenAll(receivers.Select(r => ReceiveAndAckAsync(r, count, TimeSpan.FromSeconds(6))));
        var all = perReceiver.SelectMany(m => m).ToList();

        Assert.Equal(count, all.Count);
        Assert.Equal(count, all.Select(IdOf).Distinct().Count());
        Assert.All(all, m => Assert.True(
            EntryIds.Milliseconds(m.EntryId) >= serverTimeBefore + (long)delays[IdOf(m)].TotalMilliseconds,
            $"message {IdOf(m)} entered the queue before its due time"));
        Assert.Equal(0, (await Client.GetQueueStatisticsAsync("delayed")).Delayed);
    }

    [Fact]
    public async Task A_delayed_message_arrives_close_to_its_due_time()
    {
        var receiver = await StartReceiverAsync("due", NewClient(o => o.DelayedPollInterval = TimeSpan.FromSeconds(30)));
        var before = await ServerTimeMillisecondsAsync();
        await Client.SendAsync("due", Message("later", delay: TimeSpan.FromSeconds(1)));

        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));

        // The receiver learned of the new due time from the sender, not from its 30 s poll.
        Assert.NotNull(message);
        var entered = EntryIds.Milliseconds(message.EntryId);
        Assert.InRange(entered - before, 1000, 6000);
    }

    [Fact]
    public async Task A_cancelled_scheduled_message_is_never_delivered()
    {
        var receiver = await StartReceiverAsync("cancel");
        var token = await Client.SendAsync("cancel", Message("cancelled", delay: TimeSpan.FromMilliseconds(800)));
        await Client.SendAsync("cancel", Message("kept", delay: TimeSpan.FromMilliseconds(800)));

        Assert.True(await Client.CancelScheduledAsync("cancel", token));
        var received = await ReceiveAndAckAsync(receiver, 1, TimeSpan.FromSeconds(10));
        await AssertNothingArrivesAsync(receiver, TimeSpan.FromSeconds(1.5));

        Assert.Equal(["kept"], received.Select(IdOf));
        Assert.False(await Client.CancelScheduledAsync("cancel", token));
    }

    [Fact]
    public async Task Retention_keeps_what_a_lagging_group_has_not_acknowledged()
    {
        var retaining = NewClient(o => o.Retention = new StreamRetention(MaxLength: 10));
        for (var i = 0; i < 50; i++)
        {
            await retaining.SendAsync("audited", Message($"{i}"));
        }

        await retaining.ProvisionQueueAsync("audited", "audit");
        var worker = await StartReceiverAsync("audited", retaining);
        Assert.Equal(50, (await ReceiveAndAckAsync(worker, 50)).Count);

        // The audit group has read nothing yet: trimming must keep all 50 for it.
        await Task.Delay(800);
        Assert.Equal(50, await Db.StreamLengthAsync(StreamKey("audited")));

        // The audit group reads everything and acknowledges all but entries 20..24.
        var audit = await Db.StreamReadGroupAsync(StreamKey("audited"), "audit", "auditor", ">", 50);
        Assert.Equal(50, audit.Length);
        await Db.StreamAcknowledgeAsync(StreamKey("audited"), "audit", [.. audit.Where((_, i) => i is < 20 or > 24).Select(e => e.Id)]);

        await WaitUntilAsync(async () => await Db.StreamLengthAsync(StreamKey("audited")) == 30, TimeSpan.FromSeconds(10));
        for (var i = 20; i < 25; i++)
        {
            Assert.Single(await Db.StreamRangeAsync(StreamKey("audited"), audit[i].Id, audit[i].Id));
        }

        Assert.Empty(await Db.StreamRangeAsync(StreamKey("audited"), audit[19].Id, audit[19].Id));
    }
}
