using Microsoft.Extensions.Logging;
using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>The engine's behaviour against a real three-primary Redis Cluster, plus what only a cluster can show.</summary>
public sealed class ClusterEngineBehaviour : EngineBehaviour
{
    protected override Task<RedisEndpoint> GetRedisAsync() => RedisTestEnvironment.GetClusterAsync();

    protected override Task<RedisEndpoint> GetRedisOneHourBehindAsync() => RedisTestEnvironment.GetClusterOneHourBehindAsync();

    [Fact]
    public async Task Queues_spread_over_slots_and_every_operation_stays_in_one_slot()
    {
        var queues = Enumerable.Range(0, 12).Select(i => $"slot-queue-{i}").ToList();
        foreach (var queue in queues)
        {
            await Client.Subscriptions.SubscribeAsync("fan-out", queue);
        }

        Assert.Equal(queues.Count, await Client.PublishAsync("fan-out", Message("everyone")));
        await Client.SendAsync(queues[0], Message("delayed", delay: TimeSpan.FromMilliseconds(200)));

        var slots = new HashSet<long>();
        foreach (var queue in queues)
        {
            var receiver = await StartReceiverAsync(queue);
            var received = await ReceiveAndAckAsync(receiver, queue == queues[0] ? 2 : 1);
            Assert.Contains("everyone", received.Select(IdOf));
            var stats = await Client.GetQueueStatisticsAsync(queue);
            Assert.Equal(0, stats.Depth);

            var keySlots = new[] { StreamKey(queue), DeadLetterKey(queue), (RedisKey)$"{Prefix}:{{{queue}}}:delayed" }
                .Select(k => Connection.HashSlot(k)).Distinct().ToList();
            Assert.Single(keySlots);
            slots.Add(keySlots[0]);
        }

        // Twelve queues hashing to one slot would mean the hash tag is wrong; spread across primaries.
        Assert.True(slots.Count > 6, $"only {slots.Count} distinct slots");
        var primaries = queues.Select(q => Db.IdentifyEndpoint(StreamKey(q))?.ToString()).Distinct().ToList();
        Assert.True(primaries.Count >= 2, $"all queues live on {string.Join(", ", primaries)}");
    }

    [Fact]
    public async Task Registry_keys_lost_on_one_shard_are_written_again_and_the_other_shards_keep_theirs()
    {
        var logs = new CapturingLoggerFactory();
        var endpoint = NewClient(o => o.SubscriptionCheckInterval = TimeSpan.FromMilliseconds(200), logs);
        var topics = Enumerable.Range(0, 12).Select(i => $"shard-topic-{i:00}").ToList();
        foreach (var topic in topics)
        {
            await endpoint.Subscriptions.SubscribeAsync(topic, "shard-inbox");
        }

        var receiver = await StartReceiverAsync("shard-inbox", endpoint);

        // One primary loses its part of the registry; the version key and the other primaries keep theirs.
        var byPrimary = topics.GroupBy(t => Db.IdentifyEndpoint($"{Prefix}:topic:{{{t}}}:queues")!.ToString()).ToList();
        Assert.True(byPrimary.Count >= 2, "all topics hash to one primary");
        var victim = byPrimary.OrderByDescending(g => g.Count()).First();
        var victimServer = (await Redis.PrimariesAsync()).Single(s => s.EndPoint.ToString() == victim.Key);
        Assert.NotEmpty(await DeleteRegistryKeysAsync(victimServer));
        var lost = victim.ToHashSet(StringComparer.Ordinal);

        foreach (var topic in topics)
        {
            await PublishUntilRoutedAsync(Client, topic);
        }

        var after = topics.Select(t => $"after-{t}").ToList();
        foreach (var topic in topics)
        {
            Assert.Equal(1, await Client.PublishAsync(topic, Message($"after-{topic}")));
        }

        Assert.Empty(await ReceiveIdsAsync(receiver, after));

        // The warning names exactly the topics of the shard that lost them.
        var restored = topics.Where(t => logs.WithEventId(1040).Any(w => w.Level == LogLevel.Warning && w.Message.Contains($"'{t}'", StringComparison.Ordinal))).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(lost.Order(), restored.Order());
    }
}
