using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>What the engine reports must be true: whose clock, and what happened to a message it held.</summary>
public abstract partial class EngineBehaviour
{
    /// <summary>The same kind of deployment, with every server's wall clock <see cref="RedisTestEnvironment.ServerClockOffset"/> away.</summary>
    protected abstract Task<RedisEndpoint> GetRedisOneHourBehindAsync();

    [Fact]
    public async Task Renewal_tells_messages_trimmed_away_from_messages_another_consumer_took()
    {
        var logs = new CapturingLoggerFactory();
        // Renewal every 2 s; the entry someone else took stays theirs for 6 s before this receiver could reclaim it.
        var client = NewClient(o => o.ClaimIdleTime = TimeSpan.FromSeconds(6), logs);
        for (var i = 0; i < 4; i++)
        {
            await Client.SendAsync("truthful", Message($"{i}"));
        }

        var receiver = await StartReceiverAsync("truthful", client, prefetch: 4);
        var held = new List<InboundMessage>();
        for (var i = 0; i < 4; i++)
        {
            held.Add((await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)))!);
        }

        // 0 and 1 are trimmed away, 2 is taken by someone else, 3 is acknowledged by an operator.
        await Db.StreamTrimByMinIdAsync(StreamKey("truthful"), held[2].EntryId);
        await Db.StreamClaimAsync(StreamKey("truthful"), "truthful", "someone-else", 0, [held[2].EntryId]);
        await Db.StreamAcknowledgeAsync(StreamKey("truthful"), "truthful", held[3].EntryId);

        await WaitUntilAsync(() => Task.FromResult(receiver.HeldCount == 0), TimeSpan.FromSeconds(15));
        var lines = logs.Lines.ToList();
        Assert.Contains("2 message(s)", Assert.Single(lines, l => l.Contains("[1030]", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("another consumer took over 1 message(s)", Assert.Single(lines, l => l.Contains("[1008]", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("1 message(s)", Assert.Single(lines, l => l.Contains("[1031]", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oldest_pending_age_is_measured_on_the_servers_clock_everywhere_it_is_reported()
    {
        var shifted = await GetRedisOneHourBehindAsync();
        await using var connection = (ConnectionMultiplexer)await shifted.ConnectAsync();
        var client = new RedisStreamsClient(connection, TestOptions());
        await client.SendAsync("age", Message("m"));

        // The premise: this machine's clock and the server's are an hour apart.
        var time = (RedisResult[])(await connection.GetDatabase().ScriptEvaluateAsync("return redis.call('TIME')", [StreamKey("age")]))!;
        var serverNow = DateTimeOffset.FromUnixTimeSeconds((long)time[0]);
        Assert.InRange(DateTimeOffset.UtcNow - serverNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        var receiver = client.CreateReceiver("age");
        await receiver.StartAsync();
        try
        {
            Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)));
            var statistics = await client.GetQueueStatisticsAsync("age");
            var listed = Assert.Single(await client.ListQueuesAsync(), q => q.Queue == "age");
            var named = Assert.Single(await client.GetQueueSummariesAsync(["age"]));
            var group = Assert.Single((await client.GetQueueDetailsAsync("age")).Groups);

            // The application's statistics and the operator's list, summaries and details all use the server's clock.
            Assert.Equal(1, statistics.Pending);
            foreach (var age in new[] { statistics.OldestPendingAge, listed.OldestPendingAge, named.OldestPendingAge, group.OldestPendingAge })
            {
                Assert.NotNull(age);
                Assert.InRange(age.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
            }
        }
        finally
        {
            await receiver.DisposeAsync();
        }
    }
}
