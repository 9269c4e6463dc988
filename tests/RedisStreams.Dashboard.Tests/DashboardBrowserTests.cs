using System.Collections.Concurrent;
using RedisStreams.Transport;

namespace RedisStreams.Dashboard.Tests;

/// <summary>
/// The dashboard in a real headless Chromium, as an operator uses it: the overview refreshing by itself, a queue's
/// consumers and messages, a dead letter redriven through the page to a running receiver, the read-only mode, the
/// typed confirmations, and hostile data shown as text. Takes the screenshots the docs show.
/// </summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task An_operator_sees_live_depth_and_redrives_a_dead_letter_to_a_running_receiver()
    {
        // Low, so the consumer that holds a message is flagged within the test (and in the screenshot).
        await using var host = await DashboardHost.StartAsync(o => o.StuckAfter = TimeSpan.FromSeconds(2));
        using var stop = new CancellationTokenSource();

        // A small system: orders with a consumer holding one message, a dead letter in payments whose receiver keeps
        // running, billing with nobody consuming, MassTransit's billing_error, shipping with a scheduled message.
        await host.SendAsync("orders", "order-1", new() { ["Content-Type"] = "application/json", ["MessageType"] = "urn:message:Shop:SubmitOrder" }, "{\"orderId\":1,\"total\":120.5,\"lines\":[{\"sku\":\"A-1\",\"qty\":2}]}");
        await host.SendAsync("orders", "order-2", new() { ["Content-Type"] = "application/json" }, "{\"orderId\":2,\"total\":15}");
        await host.SendAsync("orders", "order-3", new() { ["Content-Type"] = "application/json" }, "{\"orderId\":3,\"total\":7.25}");
        await host.Client.SendAsync("orders", new OutgoingMessage(new Dictionary<string, string> { ["id"] = "order-4", ["Content-Type"] = "application/octet-stream" }, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0xFF, 0x00, 0x1B, 0x07 }));
        await using var holder = host.Client.CreateReceiver("orders", prefetchCount: 1);
        await holder.StartAsync();
        Assert.NotNull(await holder.ReceiveAsync(TimeSpan.FromSeconds(30)));

        await using var payments = await host.DeadLetterAsync("payments", "pay-1", "PaymentGateway timed out after 3 attempts");
        var consumed = new ConcurrentQueue<InboundMessage>();
        var consuming = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await payments.ReceiveAsync(TimeSpan.FromSeconds(1), stop.Token) is { } message)
                    {
                        consumed.Enqueue(message);
                        await payments.AckAsync(message);
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });

        await host.SendAsync("billing", "invoice-1");
        await host.SendAsync("billing", "invoice-2");
        await host.Client.ProvisionQueueAsync("billing");
        for (var i = 1; i <= 2; i++)
        {
            await host.SendAsync("billing_error", $"invoice-fail-{i}", new()
            {
                ["MT-Fault-ExceptionType"] = "System.InvalidOperationException",
                ["MT-Fault-Message"] = $"Customer {40 + i} has no billing address",
                ["MT-Fault-InputAddress"] = "queue:billing",
                ["MT-Reason"] = "fault",
            });
        }

        await host.SendAsync("shipping", "parcel-1", delay: TimeSpan.FromHours(2));

        using var browser = Browser.Start();
        browser.Open(host.Dashboard);

        // The overview shows each queue with its depth.
        browser.WaitUntil(() => browser.TextOf("tr[data-queue='orders'] td[data-col='depth']") == "4", "orders shows a depth of 4");
        Assert.Equal("1", browser.TextOf("tr[data-queue='orders'] td[data-col='pending']"));
        Assert.Equal("1", browser.TextOf("tr[data-queue='payments'] td[data-col='deadLetters']"));
        Assert.Equal("2", browser.TextOf("tr[data-queue='billing_error'] td[data-col='depth']"));
        Assert.Equal("refused", browser.Script("return document.body.dataset.actions;"));
        browser.WaitUntil(() => browser.TextOf("tr[data-queue='orders'] td[data-col='status']")!.Contains("pending for", StringComparison.Ordinal), "orders flags its stuck message");
        browser.FitHeight();
        browser.Screenshot("dashboard-overview");

        // Messages arrive: the depth changes on the same page, without a reload.
        browser.Script("window.__samePage = 'yes';");
        await host.SendAsync("orders", "order-5");
        await host.SendAsync("orders", "order-6");
        browser.WaitUntil(() => browser.TextOf("tr[data-queue='orders'] td[data-col='depth']") == "6", "orders shows a depth of 6 by itself");
        Assert.Equal("yes", browser.Script("return window.__samePage;"));

        // The queue page: its group, the consumer holding a message, and the message browser.
        browser.Click("tr[data-queue='orders'] td[data-col='queue'] a");
        browser.WaitUntil(() => browser.FindAll("tr[data-consumer]").Count == 1 && browser.FindAll("article.message").Count == 6, "the orders page shows its consumer and six messages");
        Assert.Equal(holder.ConsumerName, browser.TextOf("tr[data-consumer] td"));
        Assert.Contains("binary", browser.TextOf("article.message:nth-of-type(4)"), StringComparison.Ordinal);
        Assert.Contains("00000000  89 50 4e 47", browser.TextOf("article.message:nth-of-type(4) pre.hex"), StringComparison.Ordinal);
        browser.FitHeight(max: 1900);
        browser.Screenshot("dashboard-queue");

        // The dead letters of payments, with why each failed. Bob may look but not act.
        browser.Open(new Uri(host.Address, "login"));
        browser.Open(new Uri(host.Dashboard, "#/queue/payments/dead-letters"));
        // The messages and the queue's details (which draw the buttons) load side by side: wait for both.
        browser.WaitUntil(() => browser.FindAll("article.message").Count == 1 && browser.EnabledOf("#redrive-all") is not null, "the dead letter and the actions are shown");
        Assert.Contains("PaymentGateway timed out after 3 attempts", browser.TextOf("article.message .fault"), StringComparison.Ordinal);
        Assert.False(browser.EnabledOf("#redrive-all"));
        Assert.Contains("does not allow user 'bob'", browser.TextOf("#read-only"), StringComparison.Ordinal);

        // The server refuses too: the same request the button would make, from the page itself.
        var refused = (string)browser.AsyncScript(
            "fetch('api/redrive', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-RedisStreams-Dashboard': '1' }, body: JSON.stringify({ queue: 'payments', source: 'dead-letters', all: true }) })" +
            ".then(async r => done(r.status + ' ' + (await r.json()).error));")!;
        Assert.Equal("403 actions-forbidden", refused);
        Assert.Equal(1, (await host.Client.GetQueueSummariesAsync(["payments"]))[0].DeadLettered);

        // Alice, an operator, selects the dead letter and redrives it after confirming where it goes.
        browser.Open(new Uri(host.Address, "login?role=operator"));
        browser.Open(new Uri(host.Dashboard, "#/queue/payments/dead-letters"));
        browser.WaitUntil(() => browser.FindAll("article.message input.select").Count == 1 && (string?)browser.Script("return document.body.dataset.actions;") == "allowed", "the operator's page lists the dead letter");
        browser.FitHeight(max: 1200);
        browser.Screenshot("dashboard-dead-letters");
        browser.Click("article.message input.select");
        browser.WaitUntil(() => browser.EnabledOf("#redrive-selected") == true, "Redrive selected is enabled");
        browser.Click("#redrive-selected");
        browser.WaitUntil(() => browser.Find("#confirm-dialog").Displayed && browser.TextOf("#redrive-plan") is { Length: > 0 }, "the confirmation shows where the message goes");
        Assert.Contains("1 message(s) → payments", browser.TextOf("#redrive-plan"), StringComparison.Ordinal);
        Assert.Empty(consumed);
        browser.Click("#confirm-ok");

        browser.WaitUntil(() => browser.TextOf("#notice")?.Contains("Moved 1 message(s) to payments", StringComparison.Ordinal) == true, "the page reports the move");
        await EventuallyAsync(() => !consumed.IsEmpty, "the running receiver consumes the redriven message");
        var redriven = Assert.Single(consumed);
        Assert.Equal("pay-1", redriven.Headers["id"]);
        Assert.DoesNotContain(redriven.TransportFields.Keys, k => k.StartsWith("dead-letter", StringComparison.Ordinal));
        Assert.Equal(0, (await host.Client.GetQueueSummariesAsync(["payments"]))[0].DeadLettered);
        Assert.Contains(host.Logs.Lines, l => l.Id.Id == 1081 && l.Message.Contains("redrive of payments by user 'alice'", StringComparison.Ordinal) && l.Message.Contains("moved 1", StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, l => l.Id.Id == 1082 && l.Message.Contains("user 'bob'", StringComparison.Ordinal));

        await stop.CancelAsync();
        await consuming;
    }

    [Fact]
    public async Task Purge_and_delete_are_confirmed_by_typing_the_queue_name_and_masstransit_and_rebus_error_queues_redrive_all()
    {
        await using var host = await DashboardHost.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await host.SendAsync("scratch", $"s{i}");
        }

        await host.SendAsync("invoices_error", "failed-1", new() { ["MT-Fault-InputAddress"] = "queue:invoices", ["MT-Fault-Message"] = "boom", ["MT-Reason"] = "fault" });
        await host.SendAsync("invoices_error", "failed-2", new() { ["MT-Fault-InputAddress"] = "queue:invoices", ["MT-Fault-Message"] = "boom", ["MT-Reason"] = "fault" });
        await host.SendAsync("error", "rebus-failed-1", new()
        {
            ["rbs2-source-queue"] = "receipts",
            ["rbs2-error-details"] = "System.InvalidOperationException: receipt printer offline\n   at Receipts.Handler.Handle()",
        });

        using var browser = Browser.Start();
        browser.Open(new Uri(host.Address, "login?role=operator"));
        browser.Open(new Uri(host.Dashboard, "#/queue/scratch"));
        browser.WaitUntil(() => browser.FindAll("article.message").Count == 3 && browser.EnabledOf("#purge") == true, "scratch shows three messages");

        // Purge: the confirm button stays disabled until the queue's name is typed; Cancel changes nothing.
        browser.Click("#purge");
        browser.WaitUntil(() => browser.Find("#confirm-dialog").Displayed, "the purge dialog opens");
        Assert.False(browser.EnabledOf("#confirm-ok"));
        browser.Click("#confirm-cancel");
        Assert.Equal(3, (await host.Client.GetQueueSummariesAsync(["scratch"]))[0].Length);
        browser.Click("#purge");
        browser.WaitUntil(() => browser.Find("#confirm-dialog").Displayed, "the purge dialog opens again");
        browser.Find("#confirm-input").SendKeys("scratc");
        Assert.False(browser.EnabledOf("#confirm-ok"));
        browser.Find("#confirm-input").SendKeys("h");
        Assert.True(browser.EnabledOf("#confirm-ok"));
        browser.Click("#confirm-ok");
        browser.WaitUntil(() => browser.TextOf("#notice")?.Contains("removed 3 message(s)", StringComparison.Ordinal) == true, "the purge is reported");
        Assert.Equal(0, (await host.Client.GetQueueSummariesAsync(["scratch"]))[0].Length);

        // Delete, confirmed the same way, and back to the overview without the queue.
        browser.Click("#delete");
        browser.WaitUntil(() => browser.Find("#confirm-dialog").Displayed, "the delete dialog opens");
        browser.Find("#confirm-input").SendKeys("scratch");
        browser.Click("#confirm-ok");
        browser.WaitUntil(() => browser.TextOf("#notice")?.Contains("Deleted scratch", StringComparison.Ordinal) == true, "the delete is reported");
        browser.WaitUntil(() => browser.FindAll("tr[data-queue='invoices_error']").Count == 1 && browser.FindAll("tr[data-queue='scratch']").Count == 0, "the overview no longer lists scratch");
        Assert.DoesNotContain("scratch", await host.Client.ListQueueNamesAsync());

        // An error queue: redrive all, each to the queue its fault headers name.
        browser.Open(new Uri(host.Dashboard, "#/queue/invoices_error"));
        browser.WaitUntil(() => browser.FindAll("article.message").Count == 2 && browser.EnabledOf("#redrive-all") == true, "the error queue lists two failed messages");
        Assert.Contains("Failed in: queue:invoices", browser.TextOf("article.message"), StringComparison.Ordinal);
        browser.Click("#redrive-all");
        browser.WaitUntil(() => browser.TextOf("#redrive-plan")?.Contains("2 message(s) → invoices", StringComparison.Ordinal) == true, "the plan shows both going to invoices");
        browser.Click("#confirm-ok");
        browser.WaitUntil(() => browser.TextOf("#notice")?.Contains("Moved 2 message(s) to invoices", StringComparison.Ordinal) == true, "the redrive is reported");
        var invoices = await host.Client.PeekAsync("invoices");
        Assert.Equal(["failed-1", "failed-2"], invoices.Messages.Select(m => m.Headers["id"]));
        Assert.All(invoices.Messages, m => Assert.False(m.Headers.ContainsKey("MT-Fault-Message")));

        // Rebus's shared error queue: each message goes back to its rbs2-source-queue.
        browser.Open(new Uri(host.Dashboard, "#/queue/error"));
        browser.WaitUntil(() => browser.FindAll("article.message").Count == 1 && browser.EnabledOf("#redrive-all") == true, "Rebus's error queue lists its failed message");
        Assert.Contains("Failed in: receipts", browser.TextOf("article.message"), StringComparison.Ordinal);
        Assert.Contains("receipt printer offline", browser.TextOf("article.message .fault"), StringComparison.Ordinal);
        browser.Click("#redrive-all");
        browser.WaitUntil(() => browser.TextOf("#redrive-plan")?.Contains("1 message(s) → receipts", StringComparison.Ordinal) == true, "the plan shows it going to receipts");
        browser.Click("#confirm-ok");
        browser.WaitUntil(() => browser.TextOf("#notice")?.Contains("Moved 1 message(s) to receipts", StringComparison.Ordinal) == true, "the Rebus redrive is reported");
        var receipts = Assert.Single((await host.Client.PeekAsync("receipts")).Messages);
        Assert.Equal("rebus-failed-1", receipts.Headers["id"]);
        Assert.False(receipts.Headers.ContainsKey("rbs2-error-details"));
        Assert.Equal(0, (await host.Client.GetQueueSummariesAsync(["error"]))[0].Length);
    }

    [Fact]
    public async Task Hostile_queue_names_headers_and_bodies_are_shown_as_text_and_nothing_is_fetched_from_elsewhere()
    {
        await using var host = await DashboardHost.StartAsync();
        const string script = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";
        const string hostileQueue = "<img src=x onerror=window.__pwned=3>";
        await host.SendAsync(hostileQueue, "q1");
        await host.SendAsync("inbox", "evil", new() { ["X-Evil"] = script, [script] = "header name" }, "</pre><script>window.__pwned = 4</script>\u001b[31m");

        using var browser = Browser.Start();
        browser.Open(host.Dashboard);
        browser.WaitUntil(() => browser.FindAll("tr[data-queue]").Count == 2, "both queues are listed");
        Assert.Contains(hostileQueue, browser.TextsOf("td[data-col='queue'] a"));

        browser.Open(new Uri(host.Dashboard, "#/queue/inbox"));
        browser.WaitUntil(() => browser.FindAll("article.message").Count == 1, "the message is listed");
        var text = browser.TextOf("article.message");
        Assert.Contains("X-Evil", text, StringComparison.Ordinal);
        Assert.Contains(script, text, StringComparison.Ordinal);
        Assert.Contains("</pre><script>window.__pwned = 4</script>", browser.TextOf("article.message pre.body"), StringComparison.Ordinal);

        browser.Open(new Uri(host.Dashboard, "#/queue/" + Uri.EscapeDataString(hostileQueue)));
        browser.WaitUntil(() => browser.TextOf("#queue-title") == hostileQueue && browser.FindAll("article.message").Count == 1, "the hostile queue's page shows its name as text");

        Assert.Null(browser.Script("return window.__pwned === undefined ? null : window.__pwned;"));
        Assert.Equal(0L, browser.Script("return document.querySelectorAll('main script, main img').length;"));

        // Every resource the page loaded came from the dashboard itself.
        var origins = (IEnumerable<object>)browser.Script("return performance.getEntriesByType('resource').map(e => new URL(e.name).origin);")!;
        Assert.All(origins, origin => Assert.Equal(host.Address.GetLeftPart(UriPartial.Authority), (string)origin));
    }

    [Fact]
    public async Task A_late_answer_for_a_page_the_operator_has_left_does_not_replace_the_page_shown()
    {
        // Holds the queue page's refresh (GET api/queue) once armed, to let it answer after the operator has moved on.
        var holding = 0;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await DashboardHost.StartAsync(middleware: async (http, next) =>
        {
            if (http.Request.Path.Value!.EndsWith("/api/queue", StringComparison.Ordinal) && Interlocked.CompareExchange(ref holding, 2, 1) == 1)
            {
                held.SetResult();
                await release.Task;
                await next();
                answered.SetResult();
                return;
            }

            await next();
        });
        await host.SendAsync("doomed", "d1");
        await host.SendAsync("survivor", "s1");

        using var browser = Browser.Start();
        browser.Open(new Uri(host.Dashboard, "#/queue/doomed"));
        browser.WaitUntil(() => browser.TextOf("[data-stat='depth'] .value") == "1", "the page of doomed shows its depth");

        // The page's next refresh of doomed is held; meanwhile the queue is deleted and the operator goes to the overview.
        Volatile.Write(ref holding, 1);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.Client.RemoveQueueAsync("doomed");
        browser.Open(new Uri(host.Dashboard, "#/")); // a fragment change: the same page, its held request still open
        browser.WaitUntil(() => browser.FindAll("tr[data-queue='survivor']").Count == 1, "the overview lists survivor");

        // The held refresh answers now (404: doomed is gone); the overview refreshes twice more after that.
        release.SetResult();
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var refreshes = Refreshes(browser);
        browser.WaitUntil(() => Refreshes(browser) >= refreshes + 2, "the overview refreshes twice after the late answer");
        Assert.Single(browser.FindAll("tr[data-queue='survivor']"));
        Assert.DoesNotContain("No queue named", browser.TextOf("main"), StringComparison.Ordinal);
    }

    static int Refreshes(Browser browser) =>
        int.Parse((string)browser.Script("return document.body.dataset.refreshes;")!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_machine_without_chromium_fails_the_browser_tests_and_says_how_to_install_it()
    {
        var missingBrowser = Assert.Throws<InvalidOperationException>(() => Browser.Start(chromium: "/nonexistent/chromium"));
        Assert.Contains("/nonexistent/chromium is missing", missingBrowser.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y chromium chromium-driver", missingBrowser.Message, StringComparison.Ordinal);
        var missingDriver = Assert.Throws<InvalidOperationException>(() => Browser.Start(chromeDriver: "/nonexistent/chromedriver"));
        Assert.Contains("/nonexistent/chromedriver is missing", missingDriver.Message, StringComparison.Ordinal);
    }

    static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(100);
        }
    }
}
