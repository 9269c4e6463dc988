using System.Text;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>The operator's API: listing, inspecting, peeking, redriving, purging and deleting queues.</summary>
public abstract partial class EngineBehaviour
{
    [Fact]
    public async Task Listing_finds_every_queue_under_the_prefix_with_its_numbers()
    {
        const string odd = "we{ird}: name%";
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("orders", Message($"o{i}"));
        }

        await Client.SendAsync(odd, Message("w"));
        await Client.SendAsync("only-delayed", Message("later", delay: TimeSpan.FromHours(1)));
        await Client.SendAsync("orders_error", Message("e1"));
        await Client.SendAsync("orders_error", Message("e2"));
        var receiver = await StartReceiverAsync("orders", prefetch: 1);
        var held = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(held);

        // A key of another application under a longer prefix is not ours.
        await Db.StreamAddAsync($"{Prefix}x:{{orders}}", "f", "v");

        var queues = await Client.ListQueuesAsync();

        Assert.Equal(["only-delayed", "orders", "orders_error", odd], queues.Select(q => q.Queue));
        Assert.Equal(queues.Select(q => q.Queue), await Client.ListQueueNamesAsync());
        var orders = queues.Single(q => q.Queue == "orders");
        Assert.Equal(3, orders.Length);
        Assert.Equal(1, orders.Pending);
        Assert.Equal(1, orders.Groups);
        Assert.Equal(1, orders.Consumers);
        Assert.Equal(3, orders.Depth);
        Assert.NotNull(orders.OldestPendingAge);
        Assert.InRange(orders.OldestPendingAge.Value, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Assert.Equal("orders_error", orders.ErrorQueue);
        Assert.Equal(2, orders.ErrorQueueDepth);
        var errors = queues.Single(q => q.Queue == "orders_error");
        Assert.Null(errors.ErrorQueue);
        Assert.True(errors.IsErrorQueue);
        Assert.False(orders.IsErrorQueue);
        Assert.Equal(2, errors.Depth);
        var delayed = queues.Single(q => q.Queue == "only-delayed");
        Assert.Equal(1, delayed.Delayed);
        Assert.Equal(0, delayed.Length);
        Assert.Null(delayed.ErrorQueue);
        Assert.Equal(1, queues.Single(q => q.Queue == odd).Length);

        // Summaries for named queues come in the order asked, unknown ones empty.
        var named = await Client.GetQueueSummariesAsync(["nope", "orders"]);
        Assert.Equal(["nope", "orders"], named.Select(q => q.Queue));
        Assert.Equal(0, named[0].Depth);
        Assert.Equal(3, named[1].Length);
    }

    [Fact]
    public async Task Rebus_queues_show_the_shared_error_queue()
    {
        await Client.SendAsync("billing", Message("b"));
        await Client.SendAsync("error", Message("failed", null));
        var billing = (await Client.GetQueueSummariesAsync(["billing"])).Single();
        Assert.Equal("error", billing.ErrorQueue);
        Assert.Equal(1, billing.ErrorQueueDepth);
    }

    [Fact]
    public async Task Queue_details_show_groups_and_consumers_with_what_each_holds()
    {
        for (var i = 0; i < 4; i++)
        {
            await Client.SendAsync("detailed", Message($"d{i}"));
        }

        await Client.SendAsync("detailed", Message("soon", delay: TimeSpan.FromMinutes(10)));
        var first = await StartReceiverAsync("detailed", prefetch: 1);
        var second = await StartReceiverAsync("detailed", NewClient(), prefetch: 1);
        Assert.NotNull(await first.ReceiveAsync(TimeSpan.FromSeconds(10)));
        Assert.NotNull(await second.ReceiveAsync(TimeSpan.FromSeconds(10)));
        await Client.ProvisionQueueAsync("detailed", "audit");

        var details = await Client.GetQueueDetailsAsync("detailed");

        Assert.Equal(["audit", "detailed"], details.Groups.Select(g => g.Name));
        var main = details.Groups.Single(g => g.Name == "detailed");
        Assert.Equal(2, main.Pending);
        Assert.NotNull(main.OldestPendingId);
        Assert.NotNull(main.OldestPendingAge);
        Assert.Equal(2, main.Consumers.Count);
        Assert.All(main.Consumers, c => Assert.Equal(1, c.Pending));
        Assert.Equal(0, details.Groups.Single(g => g.Name == "audit").Pending);
        Assert.Equal(2, details.Summary.Groups);
        Assert.Equal(2, details.Summary.Pending);
        Assert.Equal(1, details.Summary.Delayed);
        Assert.NotNull(details.FirstEntryId);
        Assert.NotNull(details.LastEntryId);
        Assert.True(details.NextDelayedDue > DateTimeOffset.UtcNow.AddMinutes(5));
        await Assert.ThrowsAsync<QueueNotFoundException>(() => Client.GetQueueDetailsAsync("not-there"));
    }

    [Fact]
    public async Task Peek_reads_pages_of_entries_without_taking_them()
    {
        var binary = new byte[] { 0, 1, 2, 0xFF, 0x1B, 0x07 };
        await Client.SendAsync("peeked", new OutgoingMessage(new Dictionary<string, string> { ["id"] = "bin", ["$odd"] = "kept" }, binary));
        for (var i = 0; i < 4; i++)
        {
            await Client.SendAsync("peeked", Message($"p{i}"));
        }

        await Client.ProvisionQueueAsync("peeked");
        var lagBefore = (await Client.GetQueueSummariesAsync(["peeked"]))[0].Waiting;

        var page1 = await Client.PeekAsync("peeked", count: 2);
        var page2 = await Client.PeekAsync("peeked", count: 2, after: page1.NextAfter);
        var page3 = await Client.PeekAsync("peeked", count: 2, after: page2.NextAfter);

        Assert.Equal(["bin", "p0"], page1.Messages.Select(m => m.Headers["id"]));
        Assert.Equal(["p1", "p2"], page2.Messages.Select(m => m.Headers["id"]));
        Assert.Equal(["p3"], page3.Messages.Select(m => m.Headers["id"]));
        Assert.Null(page3.NextAfter);
        Assert.Equal(binary, page1.Messages[0].Body.ToArray());

        // Tools show a body as text only when it is text: NUL bytes or invalid UTF-8 make it binary.
        Assert.Null(page1.Messages[0].BodyText);
        Assert.Equal("body of p0", page1.Messages[1].BodyText);
        Assert.Equal("kept", page1.Messages[0].Headers["$odd"]);
        Assert.Null(page1.Messages[0].Problem);

        // Nothing was delivered: the group still has everything to read.
        var after = (await Client.GetQueueSummariesAsync(["peeked"]))[0];
        Assert.Equal(0, after.Pending);
        Assert.Equal(lagBefore, after.Waiting);

        var receiver = await StartReceiverAsync("peeked", prefetch: 1);
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        await receiver.DeadLetterAsync(message!, "looked at");
        var dead = await Client.PeekAsync("peeked", deadLetters: true);
        var deadLetter = Assert.Single(dead.Messages);
        Assert.Equal("looked at", deadLetter.TransportFields["dead-letter-reason"]);
        Assert.Equal(binary, deadLetter.Body.ToArray());

        await Db.StreamAddAsync(StreamKey("peeked"), "not", "ours");
        var all = await Client.PeekAsync("peeked", count: 100);
        Assert.Contains(all.Messages, m => m.Problem is not null && m.Problem.Contains("$body", StringComparison.Ordinal));
        await Assert.ThrowsAsync<QueueNotFoundException>(() => Client.PeekAsync("not-there"));
    }

    [Fact]
    public async Task Topics_list_their_queues_and_linked_topics()
    {
        await Client.Subscriptions.SubscribeAsync("OrderSubmitted", "billing");
        await Client.Subscriptions.SubscribeAsync("OrderSubmitted", "shipping");
        await Client.Subscriptions.SubscribeAsync("IEvent:{x}", "audit");
        await Client.Subscriptions.LinkTopicsAsync("OrderSubmitted", "IEvent:{x}");

        // A topic nobody subscribes to any more keeps its epoch key (the registry's evidence of data loss): neither
        // that key nor any other topic's epoch is a topic or a queue.
        await Client.Subscriptions.SubscribeAsync("Abandoned", "gone");
        await Client.Subscriptions.UnsubscribeAsync("Abandoned", "gone");
        var epochs = new List<string>();
        foreach (var server in (await Redis.AdminAsync()).GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: $"{Prefix}:topic:*:epoch"))
            {
                epochs.Add(key!);
            }
        }

        Assert.Equal(3, epochs.Count);

        var topics = await Client.Subscriptions.ListTopicsAsync();

        Assert.Empty(await Client.ListQueueNamesAsync());
        Assert.Equal(["IEvent:{x}", "OrderSubmitted"], topics.Select(t => t.Topic));
        Assert.Equal(["billing", "shipping"], topics[1].Queues);
        Assert.Equal(["IEvent:{x}"], topics[1].LinkedTopics);
        Assert.Equal(["audit"], topics[0].Queues);
        Assert.Empty(topics[0].LinkedTopics);
    }

    [Fact]
    public async Task Dead_letters_are_redriven_by_id_by_count_and_all_after_a_dry_run()
    {
        var ids = await DeadLetterAsync("redriven", 6);

        var dry = await Client.RedriveDeadLettersAsync("redriven", RedriveRequest.All with { DryRun = true });
        Assert.Equal(6, dry.Moved);
        Assert.All(dry.Items, i => Assert.Equal(RedriveOutcome.WouldMove, i.Outcome));
        Assert.Equal(6, (await Client.GetQueueSummariesAsync(["redriven"]))[0].DeadLettered);

        var dead = (await Client.PeekAsync("redriven", deadLetters: true)).Messages;
        var byId = await Client.RedriveDeadLettersAsync("redriven", RedriveRequest.ByIds(dead[3].EntryId, "1-1"));
        Assert.Equal(1, byId.Moved);
        Assert.Equal(1, byId.NotFound);
        Assert.Equal(1, (await Client.RedriveDeadLettersAsync("redriven", RedriveRequest.First(1))).Moved);
        Assert.Equal(4, (await Client.RedriveDeadLettersAsync("redriven", RedriveRequest.All)).Moved);
        Assert.Equal(0, (await Client.RedriveDeadLettersAsync("redriven", RedriveRequest.All)).Moved);

        var receiver = await StartReceiverAsync("redriven");
        var back = await ReceiveAndAckAsync(receiver, 6);
        Assert.Equal(ids.Order(), back.Select(IdOf).Order());
        Assert.Equal([ids[3], ids[0]], back.Take(2).Select(IdOf));
        Assert.All(back, m => Assert.Empty(m.TransportFields));
        Assert.All(back, m => Assert.Equal(1, m.DeliveryCount));
    }

    [Fact]
    public async Task Dead_letters_keep_their_fault_fields_when_asked()
    {
        await DeadLetterAsync("kept", 1);
        var report = await Client.RedriveDeadLettersAsync("kept", RedriveRequest.All with { KeepFaultHeaders = true });
        Assert.Equal(1, report.Moved);
        var entry = Assert.Single((await Client.PeekAsync("kept")).Messages);
        Assert.Equal("gave up", entry.TransportFields["dead-letter-reason"]);
    }

    [Fact]
    public async Task Error_queue_messages_go_back_to_the_queue_their_fault_headers_name()
    {
        await SendFailedAsync("orders_error", "mt-address", new() { ["MT-Reason"] = "fault", ["MT-Fault-Message"] = "boom", ["MT-Fault-InputAddress"] = $"redis://localhost:6379/{Prefix}/orders%20v2" });
        await SendFailedAsync("orders_error", "mt-name", new() { ["MT-Reason"] = "fault", ["MT-Fault-ExceptionType"] = "System.Exception" });
        await SendFailedAsync("orders_error", "mt-foreign", new() { ["MT-Fault-InputAddress"] = "redis://localhost:6379/other-prefix/orders" });
        await SendFailedAsync("error", "rebus-1", new() { ["rbs2-source-queue"] = "billing", ["rbs2-error-details"] = "System.Exception: boom" });
        await SendFailedAsync("error", "rebus-2", new() { ["rbs2-source-queue"] = "shipping", ["rbs2-error-details"] = "System.Exception: bang" });
        await SendFailedAsync("error", "nowhere", new() { ["some"] = "header" });

        var dry = await Client.RedriveErrorQueueAsync("orders_error", RedriveRequest.All with { DryRun = true });
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 1, ["orders v2"] = 1 }, dry.MovedTo);
        var skipped = Assert.Single(dry.Items, i => i.Outcome == RedriveOutcome.Skipped);
        Assert.Contains("other-prefix", skipped.Note, StringComparison.Ordinal);
        Assert.Equal(3, (await Client.GetQueueSummariesAsync(["orders_error"]))[0].Length);

        var mt = await Client.RedriveErrorQueueAsync("orders_error", RedriveRequest.All);
        Assert.Equal(2, mt.Moved);
        var rebus = await Client.RedriveErrorQueueAsync("error", RedriveRequest.All);
        Assert.Equal(new Dictionary<string, long> { ["billing"] = 1, ["shipping"] = 1 }, rebus.MovedTo);
        Assert.Equal(1, rebus.Skipped);

        Assert.Equal(["mt-foreign"], (await Client.PeekAsync("orders_error")).Messages.Select(m => m.Headers["id"]));
        Assert.Equal(["nowhere"], (await Client.PeekAsync("error")).Messages.Select(m => m.Headers["id"]));
        var orders = Assert.Single((await Client.PeekAsync("orders")).Messages);
        Assert.Equal("mt-name", orders.Headers["id"]);
        Assert.DoesNotContain(orders.Headers.Keys, k => k.StartsWith("MT-", StringComparison.Ordinal));
        Assert.Equal("body of mt-name", Encoding.UTF8.GetString(orders.Body.Span));
        var billing = Assert.Single((await Client.PeekAsync("billing")).Messages);
        Assert.Equal(["id"], billing.Headers.Keys);
        Assert.Equal("mt-address", Assert.Single((await Client.PeekAsync("orders v2")).Messages).Headers["id"]);

        // What has no destination of its own goes where the operator says, fault headers kept on request.
        var aimed = await Client.RedriveErrorQueueAsync("error", RedriveRequest.All with { Destination = "triage", KeepFaultHeaders = true });
        Assert.Equal(1, aimed.Moved);
        Assert.Equal("header", Assert.Single((await Client.PeekAsync("triage")).Messages).Headers["some"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_cross_slot_redrive_interrupted_at_any_step_is_completed_once_by_the_next_one(int crashAfterStep)
    {
        await SendFailedAsync("payments_error", "m1", new() { ["MT-Reason"] = "fault" });
        await SendFailedAsync("payments_error", "m2", new() { ["MT-Reason"] = "fault" });
        var crashing = NewClient();
        crashing.ForceRedriveProtocol = true;
        crashing.StopRedriveAfterStep = crashAfterStep;

        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.RedriveErrorQueueAsync("payments_error", RedriveRequest.First(1)));

        // Out of the error queue, in the move: never in neither place.
        var errors = (await Client.GetQueueSummariesAsync(["payments_error"]))[0];
        Assert.Equal(1, errors.Length);
        Assert.Equal(1, errors.InRedrive);
        Assert.Equal(crashAfterStep == 2 ? 1 : 0, (await Client.GetQueueSummariesAsync(["payments"]))[0].Length);

        var dry = await Client.RedriveErrorQueueAsync("payments_error", RedriveRequest.First(1) with { DryRun = true });
        Assert.Equal(1, dry.Resumed);

        var resumed = NewClient();
        resumed.ForceRedriveProtocol = true;
        var report = await resumed.RedriveErrorQueueAsync("payments_error", RedriveRequest.All);
        Assert.Equal(2, report.Moved);
        Assert.Equal(1, report.Resumed);

        var delivered = (await Client.PeekAsync("payments")).Messages.Select(m => m.Headers["id"]).Order().ToList();
        Assert.Equal(["m1", "m2"], delivered);
        var after = (await Client.GetQueueSummariesAsync(["payments_error"]))[0];
        Assert.Equal(0, after.Length);
        Assert.Equal(0, after.InRedrive);
    }

    [Fact]
    public async Task Redrives_racing_over_an_interrupted_move_write_it_once()
    {
        await SendFailedAsync("race_error", "only", new() { ["MT-Reason"] = "fault" });
        var crashing = NewClient();
        crashing.ForceRedriveProtocol = true;
        crashing.StopRedriveAfterStep = 1;
        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.RedriveErrorQueueAsync("race_error", RedriveRequest.All));

        var racers = Enumerable.Range(0, 4).Select(_ =>
        {
            var racer = NewClient();
            racer.ForceRedriveProtocol = true;
            return racer.RedriveErrorQueueAsync("race_error", RedriveRequest.All);
        }).ToList();
        var reports = await Task.WhenAll(racers);

        Assert.Single((await Client.PeekAsync("race")).Messages);
        Assert.Equal(0, (await Client.GetQueueSummariesAsync(["race_error"]))[0].InRedrive);
        Assert.Equal(1, reports.Count(r => r.Items.Any(i => i.Outcome == RedriveOutcome.Resumed && i.NewEntryId is not null)));
    }

    [Fact]
    public async Task Purge_and_delete_of_an_unknown_queue_fail_clearly_and_create_nothing()
    {
        var purge = await Assert.ThrowsAsync<QueueNotFoundException>(() => Client.PurgeQueueAsync("ghost", mustExist: true));
        Assert.Contains("ghost", purge.Message, StringComparison.Ordinal);
        Assert.Contains(Prefix, purge.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<QueueNotFoundException>(() => Client.RemoveQueueAsync("ghost"));
        await Assert.ThrowsAsync<QueueNotFoundException>(() => Client.RedriveDeadLettersAsync("ghost", RedriveRequest.All));
        await Assert.ThrowsAsync<QueueNotFoundException>(() => Client.RedriveErrorQueueAsync("ghost_error", RedriveRequest.All));
        Assert.Empty(await Client.ListQueueNamesAsync());
    }

    [Fact]
    public async Task Purge_empties_every_group_and_keeps_the_dead_letters()
    {
        await DeadLetterAsync("purged", 1);
        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync("purged", Message($"x{i}"));
        }

        await Client.SendAsync("purged", Message("later", delay: TimeSpan.FromHours(1)));
        await Client.ProvisionQueueAsync("purged", "audit");
        var receiver = await StartReceiverAsync("purged", prefetch: 1);
        Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(3, await Client.PurgeQueueAsync("purged", mustExist: true));

        var details = await Client.GetQueueDetailsAsync("purged");
        Assert.Equal(0, details.Summary.Depth);
        Assert.Equal(0, details.Summary.Delayed);
        Assert.Equal(1, details.Summary.DeadLettered);
        Assert.Equal(["audit", "purged"], details.Groups.Select(g => g.Name));
        Assert.All(details.Groups, g => Assert.Equal(0, g.Pending));

        await Client.SendAsync("purged", Message("after"));
        Assert.Equal(["after"], (await ReceiveAndAckAsync(receiver, 1)).Select(IdOf));
        Assert.Equal(1, await Client.PurgeDeadLettersAsync("purged"));
        Assert.Equal(0, (await Client.GetQueueSummariesAsync(["purged"]))[0].DeadLettered);
    }

    [Fact]
    public async Task Removing_a_queue_deletes_every_key_it_owns_and_its_subscriptions()
    {
        await Client.Subscriptions.SubscribeAsync("t1", "doomed");
        await Client.Subscriptions.SubscribeAsync("t2", "doomed");
        await Client.Subscriptions.SubscribeAsync("t2", "survivor");
        await DeadLetterAsync("doomed", 1);
        await Client.SendAsync("doomed", Message("later", delay: TimeSpan.FromHours(1)));
        await SendFailedAsync("doomed", "redriving", new() { ["MT-Reason"] = "fault", ["MT-Fault-InputAddress"] = "queue:target" });
        var crashing = NewClient();
        crashing.ForceRedriveProtocol = true;
        crashing.StopRedriveAfterStep = 2;
        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.RedriveErrorQueueAsync("doomed", RedriveRequest.All));

        var removal = await Client.RemoveQueueAsync("doomed");

        Assert.Equal(["t1", "t2"], removal.UnsubscribedTopics);
        Assert.Equal(1, removal.DeadLetters);
        Assert.Equal(1, removal.Scheduled);
        var left = new List<string>();
        foreach (var primary in await Redis.PrimariesAsync())
        {
            await foreach (var key in primary.KeysAsync(pattern: $"{Prefix}:{{doomed}}*"))
            {
                left.Add(key!);
            }
        }

        Assert.Empty(left);
        Assert.Equal(["survivor"], (await Client.Subscriptions.ListTopicsAsync()).Single(t => t.Topic == "t2").Queues);
        Assert.DoesNotContain("doomed", await Client.ListQueueNamesAsync());
        Assert.Equal(0, await Client.PublishAsync("t1", Message("nobody")));
    }

    /// <summary>Sends messages to a queue and dead-letters each through a receiver; returns their ids.</summary>
    async Task<List<string>> DeadLetterAsync(string queue, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{queue}-{i}").ToList();
        foreach (var id in ids)
        {
            await Client.SendAsync(queue, Message(id));
        }

        var receiver = Client.CreateReceiver(queue);
        await receiver.StartAsync();
        for (var i = 0; i < count; i++)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            await receiver.DeadLetterAsync(message, "gave up");
        }

        await receiver.DisposeAsync();
        return ids;
    }

    /// <summary>Writes an entry to an error queue the way the adapters do: the original headers plus the framework's fault headers.</summary>
    Task SendFailedAsync(string errorQueue, string id, Dictionary<string, string> faultHeaders)
    {
        faultHeaders["id"] = id;
        return Client.SendAsync(errorQueue, new OutgoingMessage(faultHeaders, Encoding.UTF8.GetBytes($"body of {id}")));
    }
}
