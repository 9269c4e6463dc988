using RedisStreams.Testing;
using StackExchange.Redis;
using static RedisStreams.Transport.Tests.Resilience.ResilienceTestSupport;

namespace RedisStreams.Transport.Tests.Resilience;

/// <summary>An evicting maxmemory-policy deletes queues silently: the engine refuses it unless told otherwise (issue 10, item 3).</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class EvictionPolicyTests
{
    [Fact]
    public async Task An_evicting_policy_is_refused_at_start_with_what_to_set_and_why()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next(), "--maxmemory-policy", "allkeys-lru");
        var logs = new CapturingLoggerFactory();

        var refused = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() =>
            RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() }, logs));

        Assert.Contains("maxmemory-policy 'allkeys-lru'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("CONFIG SET maxmemory-policy noeviction", refused.Message, StringComparison.Ordinal);
        Assert.Contains("redis.conf", refused.Message, StringComparison.Ordinal);
        Assert.Contains("lost", refused.Message, StringComparison.Ordinal);
        Assert.Contains("AllowEvictingPolicy", refused.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, line => line.Contains("[1025]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_borrowed_connection_is_checked_before_the_first_send_and_receiver_start()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next(), "--maxmemory-policy", "volatile-ttl");
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port}");
        var client = new RedisStreamsClient(multiplexer, new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() });

        var receiver = client.CreateReceiver("orders");
        var send = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() => client.SendAsync("orders", Message("1")));
        var start = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() => receiver.StartAsync());

        Assert.Contains("'volatile-ttl'", send.Message, StringComparison.Ordinal);
        Assert.Contains("'volatile-ttl'", start.Message, StringComparison.Ordinal);
        Assert.Equal(0, await multiplexer.GetDatabase().KeyExistsAsync(new RedisKey[] { $"{client.Options.KeyPrefix}:{{orders}}" }));

        // Fixed on the server: the next call checks again and goes through.
        await multiplexer.GetServers()[0].ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "noeviction");
        Assert.False(string.IsNullOrEmpty(await client.SendAsync("orders", Message("2"))));
        await receiver.StartAsync();
        var received = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("2", received?.Headers["id"]);
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task AllowEvictingPolicy_turns_the_refusal_into_a_logged_warning()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next(), "--maxmemory-policy", "allkeys-lru");
        var logs = new CapturingLoggerFactory();
        await using var client = await RedisStreamsClient.ConnectAsync(
            $"127.0.0.1:{server.Port}",
            new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix(), AllowEvictingPolicy = true },
            logs);

        await client.SendAsync("orders", Message("1"));

        var warning = Assert.Single(logs.Lines, line => line.Contains("[1026]", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains("allkeys-lru", warning, StringComparison.Ordinal);
        Assert.Contains("noeviction", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_who_may_not_run_INFO_gets_a_warning_that_the_policy_is_unverified()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        var prefix = TestNames.UniquePrefix();
        using (var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port}"))
        {
            var rules = RedisAclUser.SetUserArguments("no-info", "secret-no-info", prefix).Where(r => (string)r != "+info").ToArray();
            await admin.GetServers()[0].ExecuteAsync("ACL", rules);
        }

        var logs = new CapturingLoggerFactory();
        await using var client = await RedisStreamsClient.ConnectAsync($"redis://no-info:secret-no-info@127.0.0.1:{server.Port}", new RedisStreamsOptions { KeyPrefix = prefix }, logs);
        await client.SendAsync("orders", Message("1"));

        var warning = Assert.Single(logs.Lines, line => line.Contains("[1027]", StringComparison.Ordinal));
        Assert.Contains("+info", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, line => line.Contains("secret-no-info", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_policy_is_checked_again_after_a_reconnect()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());
        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{server.Port}", new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() });
        await client.SendAsync("orders", Message("1"));

        // Someone switches the policy and the connection drops (as a failover to a differently configured node would).
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        await admin.GetServers()[0].ConfigSetAsync("maxmemory-policy", "allkeys-random");
        await admin.GetServers()[0].ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        RedisStreamsConnectionException? refused = null;
        while (refused is null && DateTime.UtcNow < deadline)
        {
            try
            {
                await client.SendAsync("orders", Message("2"));
                await Task.Delay(100);
            }
            catch (RedisStreamsConnectionException e)
            {
                refused = e;
            }
            catch (RedisStreamsUnavailableException)
            {
                // Still reconnecting.
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("'allkeys-random'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_cluster_every_primary_is_checked()
    {
        var redis = await RedisTestEnvironment.GetClusterAsync();
        var primaries = await redis.PrimariesAsync();
        var last = primaries[^1];
        var endpoint = (System.Net.IPEndPoint)last.EndPoint;
        await last.ConfigSetAsync("maxmemory-policy", "allkeys-lfu");
        try
        {
            var refused = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() =>
                RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() }));

            Assert.Contains($"Redis at {endpoint.Address}:{endpoint.Port} runs maxmemory-policy 'allkeys-lfu'", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await last.ConfigSetAsync("maxmemory-policy", "noeviction");
        }
    }
}
