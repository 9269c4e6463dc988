using RedisStreams.Testing;
using StackExchange.Redis;
using static RedisStreams.Transport.Tests.Resilience.ResilienceTestSupport;

namespace RedisStreams.Transport.Tests.Resilience;

/// <summary>On a Cluster, a durable write's WAIT goes to the node that owns the queue's slot.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class ClusterDurableWriteTests
{
    [Fact]
    public async Task Each_queue_is_confirmed_by_the_node_that_owns_its_slot()
    {
        // The test cluster's primaries have no replicas, so every WAIT reports 0: the exception names the node
        // the WAIT went to, which must be the node that holds the write.
        var redis = await RedisTestEnvironment.GetClusterAsync();
        var prefix = TestNames.UniquePrefix();
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions
        {
            KeyPrefix = prefix,
            RequiredReplicas = 1,
            ReplicationTimeout = TimeSpan.FromMilliseconds(50),
            WriteRetryTimeout = TimeSpan.FromMilliseconds(300),
        });
        var admin = await redis.AdminAsync();
        var nodes = new HashSet<string>(StringComparer.Ordinal);

        foreach (var queue in Enumerable.Range(0, 12).Select(i => $"durable-{i}"))
        {
            var failure = await Assert.ThrowsAsync<RedisStreamsReplicationException>(() => client.SendAsync(queue, Message(queue)));
            var owner = (System.Net.IPEndPoint)admin.GetServer((RedisKey)$"{prefix}:{{{queue}}}").EndPoint;
            Assert.Equal($"{owner.Address}:{owner.Port}", failure.Endpoint);
            Assert.Equal(1, await admin.GetDatabase().StreamLengthAsync($"{prefix}:{{{queue}}}"));
            nodes.Add(failure.Endpoint!);
        }

        Assert.True(nodes.Count > 1, "The queues all landed on one node; the test proves nothing about routing.");
    }
}
