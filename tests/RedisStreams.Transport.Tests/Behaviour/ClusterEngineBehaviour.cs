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
}
