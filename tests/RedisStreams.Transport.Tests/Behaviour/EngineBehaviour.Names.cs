using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

public abstract partial class EngineBehaviour
{
    static readonly string[] HostileNames =
    [
        "hostile{", "hostile}", "hostile:", "hostile*", "hostile?[x]", "hostile\nnewline", "hostile\r\n\t",
        "hostile{a}b", "hostile}:{x", "hostile%7B", "hostile%257B", "hostile:dead-letter", "hostile враг 🚀",
        "hostile" + new string('z', 500),
    ];

    [Fact]
    public async Task Hostile_queue_and_topic_names_stay_inside_their_own_keys()
    {
        foreach (var name in HostileNames)
        {
            await Client.Subscriptions.SubscribeAsync(name, name);
            Assert.Equal(1, await Client.PublishAsync(name, Message(name)));
            await Client.SendAsync(name, Message(name + "-delayed", delay: TimeSpan.FromMilliseconds(50)));
        }

        foreach (var name in HostileNames)
        {
            // Each queue gets exactly its own two messages: no two names share a key.
            var receiver = await StartReceiverAsync(name);
            var received = await ReceiveAndAckAsync(receiver, 2, TimeSpan.FromSeconds(10));
            Assert.Equal([name, name + "-delayed"], received.Select(IdOf).Order(StringComparer.Ordinal));
            await AssertNothingArrivesAsync(receiver, TimeSpan.FromMilliseconds(100));
        }

        // Every key any of these names produced starts with this test's prefix and stays in one slot per name.
        foreach (var server in await Redis.PrimariesAsync())
        {
            await foreach (var key in server.KeysAsync(pattern: "*hostile*"))
            {
                Assert.StartsWith(Prefix + ":", key.ToString(), StringComparison.Ordinal);
                Assert.Equal(1, key.ToString().Count(c => c == '{'));
            }
        }
    }

    [Fact]
    public async Task Names_that_cannot_be_keys_fail_with_a_message_that_says_what_to_fix()
    {
        var tooLong = new string('q', 10 * 1024);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Client.SendAsync(tooLong, Message("x")));
        Assert.Contains("limit is 512", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Client.CreateReceiver(string.Empty));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.Subscriptions.SubscribeAsync(tooLong, "q"));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.PublishAsync(" ", Message("x")));
        Assert.Empty(await Db.StreamRangeAsync((RedisKey)$"{Prefix}:{{q}}"));
    }

    [Fact]
    public async Task A_batch_with_one_bad_destination_fails_having_sent_nothing()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Client.SendManyAsync([("first", Message("1")), ("first", Message("2")), (new string('q', 10 * 1024), Message("3"))]));

        Assert.Contains("limit is 512", error.Message, StringComparison.Ordinal);

        // Sent through the same ordered group commit: once it is written, anything handed over before it is too.
        await Client.SendAsync("first", Message("after"));
        Assert.Equal(1, (await Client.GetQueueStatisticsAsync("first")).Length);
    }
}
