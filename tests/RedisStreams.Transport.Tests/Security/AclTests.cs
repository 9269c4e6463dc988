using System.Text;
using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Security;

/// <summary>The engine works as a Redis ACL user confined to its key prefix, and secrets never leak.</summary>
public sealed class AclTests
{
    [Fact]
    public async Task An_acl_user_confined_to_the_prefix_runs_every_engine_operation()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix));

        var logs = new CapturingLoggerFactory();
        await using var client = await RedisStreamsClient.ConnectAsync(
            $"redis://{user}:{password}@{redis.ConnectionString}",
            new RedisStreamsOptions { KeyPrefix = prefix },
            logs);
        await client.Subscriptions.SubscribeAsync("topic", "acl-queue");
        Assert.Equal(1, await client.PublishAsync("topic", Text("published")));
        await client.SendAsync("acl-queue", new OutgoingMessage(new Dictionary<string, string>(), Encoding.UTF8.GetBytes("delayed")) { Delay = TimeSpan.FromMilliseconds(200) });
        await client.SendAsync("acl-queue", Text("poison"));

        await using var receiver = client.CreateReceiver("acl-queue");
        await receiver.StartAsync();
        var seen = new List<string>();
        while (seen.Count < 3)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            var text = Encoding.UTF8.GetString(message.Body.Span);
            seen.Add(text);
            if (text == "poison")
            {
                await receiver.DeadLetterAsync(message, "refused");
            }
            else if (message.DeliveryCount == 1 && text == "published")
            {
                await receiver.ReturnAsync(message);
                seen.Remove(text);
            }
            else
            {
                await receiver.AckAsync(message);
            }
        }

        Assert.Equal(["delayed", "poison", "published"], seen.Order());
        var stats = await client.GetQueueStatisticsAsync("acl-queue");
        Assert.Equal(1, stats.DeadLettered);
        Assert.Equal(1, await client.RequeueDeadLettersAsync("acl-queue"));

        // The same user cannot touch anything outside its prefix.
        var outside = await Assert.ThrowsAsync<RedisServerException>(() => client.Multiplexer.GetDatabase().StringGetAsync("someone-else:key"));
        Assert.Contains("NOPERM", outside.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_acl_user_confined_to_the_prefix_keeps_its_subscriptions_in_redis()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix));
        var logs = new CapturingLoggerFactory();
        await using var client = await RedisStreamsClient.ConnectAsync(
            $"redis://{user}:{password}@{redis.ConnectionString}",
            new RedisStreamsOptions { KeyPrefix = prefix, SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200) },
            logs);
        await client.Subscriptions.SubscribeAsync("IOrderEvent", "billing");
        await client.Subscriptions.LinkTopicsAsync("OrderPlaced", "IOrderEvent");

        // Redis loses the registry; the check (epochs with GET, the server's identity with INFO) and the repair
        // (register.lua: SADD, GET, SET) run as this user.
        await admin.GetDatabase().KeyDeleteAsync([
            $"{prefix}:topic:{{IOrderEvent}}:queues", $"{prefix}:topic:{{IOrderEvent}}:epoch",
            $"{prefix}:topic:{{OrderPlaced}}:topics", $"{prefix}:topic:{{OrderPlaced}}:epoch"]);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await client.PublishAsync("OrderPlaced", Text("probe")) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the subscription never came back. Logged:{Environment.NewLine}{string.Join(Environment.NewLine, logs.Lines)}");
            await Task.Delay(100);
        }

        // Both topics were written back and said so (the second one's warning may follow the first routed probe).
        while (logs.WithEventId(1040).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not both topics were reported as written back. Logged:{Environment.NewLine}{string.Join(Environment.NewLine, logs.Lines)}");
            await Task.Delay(100);
        }

        Assert.Contains(logs.WithEventId(1040), e => e.Message.Contains("'IOrderEvent'", StringComparison.Ordinal) && e.Message.Contains("billing", StringComparison.Ordinal));
        Assert.Contains(logs.WithEventId(1040), e => e.Message.Contains("'OrderPlaced'", StringComparison.Ordinal) && e.Message.Contains("IOrderEvent", StringComparison.Ordinal));
        Assert.Empty(logs.WithEventId(1042));
        Assert.Empty(logs.WithEventId(1027));
    }

    [Fact]
    public async Task An_acl_user_confined_to_the_prefix_can_delete_its_queues()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix));
        await using var client = await RedisStreamsClient.ConnectAsync($"redis://{user}:{password}@{redis.ConnectionString}", new RedisStreamsOptions { KeyPrefix = prefix });
        await client.SendAsync("temporary", Text("t"));

        // A temporary endpoint deletes its queue when it stops, as this user.
        await client.DeleteQueueAsync("temporary");

        Assert.False(await admin.GetDatabase().KeyExistsAsync($"{prefix}:{{temporary}}"));
    }

    [Fact]
    public async Task An_operator_without_scan_is_told_what_to_grant()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix));
        await using var client = await RedisStreamsClient.ConnectAsync($"redis://{user}:{password}@{redis.ConnectionString}", new RedisStreamsOptions { KeyPrefix = prefix });

        var refused = await Assert.ThrowsAsync<RedisStreamsPermissionException>(() => client.ListQueuesAsync());

        Assert.Equal("scan", refused.Command);
        Assert.Equal("+scan", refused.Grant);
        Assert.Equal(user, refused.User);
        Assert.Contains($"ACL SETUSER {user} +scan", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_acl_user_confined_to_the_prefix_sends_delays_dead_letters_and_requeues_messages_too_large_for_a_script()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix));
        await using var client = await RedisStreamsClient.ConnectAsync(
            $"redis://{user}:{password}@{redis.ConnectionString}",
            new RedisStreamsOptions { KeyPrefix = prefix, DelayedPollInterval = TimeSpan.FromMilliseconds(100) });
        var headers = Enumerable.Range(0, 4000).ToDictionary(i => $"h{i}", i => $"{i}");

        await client.SendAsync("acl-big", new OutgoingMessage(headers, Encoding.UTF8.GetBytes("now")));
        await client.SendAsync("acl-big", new OutgoingMessage(headers, Encoding.UTF8.GetBytes("later")) { Delay = TimeSpan.FromMilliseconds(200) });
        await using var receiver = client.CreateReceiver("acl-big");
        await receiver.StartAsync();
        var seen = new List<string>();
        var deadLettered = false;
        for (var i = 0; i < 3; i++)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            Assert.Equal(4000, message.Headers.Count);
            var text = Encoding.UTF8.GetString(message.Body.Span);
            seen.Add(text);
            if (text == "now" && !deadLettered)
            {
                deadLettered = true;
                await receiver.DeadLetterAsync(message, "refused");
                Assert.Equal(1, await client.RequeueDeadLettersAsync("acl-big"));
            }
            else
            {
                await receiver.AckAsync(message);
            }
        }

        Assert.Equal(["later", "now", "now"], seen.Order());
        var stats = await client.GetQueueStatisticsAsync("acl-big");
        Assert.Equal(0, stats.DeadLettered);
        Assert.Equal(0, stats.Delayed);
    }

    [Fact]
    public async Task An_operator_with_the_documented_rules_redrives_messages_too_large_for_a_script()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var user = "ops-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix, RedisAclUser.OperatorCommandRules));
        var headers = Enumerable.Range(0, 4000).ToDictionary(i => $"h{i}", i => $"{i}");

        // The application dead-letters one and a framework puts the other in its error queue.
        await using var application = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions { KeyPrefix = prefix });
        await application.SendAsync("big", new OutgoingMessage(headers, Encoding.UTF8.GetBytes("dead")));
        await application.SendAsync("big_error", new OutgoingMessage(new Dictionary<string, string>(headers) { ["MT-Reason"] = "fault" }, Encoding.UTF8.GetBytes("failed")));
        await using (var receiver = application.CreateReceiver("big"))
        {
            await receiver.StartAsync();
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            await receiver.DeadLetterAsync(message, "gave up");
        }

        await using var operatorClient = await RedisStreamsClient.ConnectAsync($"redis://{user}:{password}@{redis.ConnectionString}", new RedisStreamsOptions { KeyPrefix = prefix });
        var dead = await operatorClient.RedriveDeadLettersAsync("big", RedriveRequest.All);
        var errors = await operatorClient.RedriveErrorQueueAsync("big_error", RedriveRequest.All);

        foreach (var item in dead.Items.Concat(errors.Items))
        {
            Assert.True(item.Outcome == RedriveOutcome.Moved && item.NewEntryId is not null && item.Note is null, item.ToString());
        }

        var entries = await admin.GetDatabase().StreamRangeAsync($"{prefix}:{{big}}");
        Assert.Equal(["dead", "failed"], entries.Select(e => (string)e.Values.Single(v => v.Name == "$body").Value!));
        Assert.All(entries, e => Assert.Equal(4001, e.Values.Length));
        Assert.Equal(0, await admin.GetDatabase().HashLengthAsync($"{prefix}:{{big}}:oversized"));
    }

    [Fact]
    public async Task A_wrong_password_fails_clearly_without_revealing_it()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, "the-right-one", "p"));

        var logs = new CapturingLoggerFactory();
        const string wrong = "wrong-hunter2-password";
        var error = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() => RedisStreamsClient.ConnectAsync($"redis://{user}:{wrong}@{redis.ConnectionString}?connectTimeout=10000", loggerFactory: logs));

        Assert.Contains("user and password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(wrong, StringComparison.Ordinal));
    }

    static OutgoingMessage Text(string text) => new(new Dictionary<string, string>(), Encoding.UTF8.GetBytes(text));
}
