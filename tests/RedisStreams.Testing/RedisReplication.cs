using System.Globalization;
using StackExchange.Redis;

namespace RedisStreams.Testing;

/// <summary>Replicas of test servers, and what a node says about its role, for failover and durability tests.</summary>
public static class RedisReplication
{
    /// <summary>Starts a replica of the server on <paramref name="primaryPort"/> and waits until it is in sync.</summary>
    /// <param name="primaryPort">The primary's loopback port.</param>
    /// <param name="extraArguments">More redis-server arguments (they come last and win).</param>
    public static async Task<RedisServerProcess> StartReplicaAsync(int primaryPort, params string[] extraArguments)
    {
        var replica = await RedisServerProcess.StartAsync(FreePorts.Next(), ["--replicaof", "127.0.0.1", Port(primaryPort), .. extraArguments]).ConfigureAwait(false);
        await WaitForReplicaAsync(replica.Port, primaryPort, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return replica;
    }

    /// <summary>The <c>INFO replication</c> fields of the server on <paramref name="port"/>, or <c>null</c> when it does not answer.</summary>
    public static async Task<IReadOnlyDictionary<string, string>?> InfoAsync(int port)
    {
        try
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port(port)},abortConnect=false,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000,allowAdmin=true").ConfigureAwait(false);
            if (!connection.IsConnected)
            {
                return null;
            }

            var text = await connection.GetServers()[0].InfoRawAsync("replication").ConfigureAwait(false) ?? string.Empty;
            return text.Split('\n')
                .Select(line => line.Trim())
                .Where(line => line.Contains(':', StringComparison.Ordinal) && !line.StartsWith('#'))
                .Select(line => line.Split(':', 2))
                .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        }
        catch (RedisException)
        {
            return null;
        }
    }

    /// <summary>Waits until the server on <paramref name="port"/> is a replica of <paramref name="primaryPort"/> with its link up.</summary>
    public static async Task WaitForReplicaAsync(int port, int primaryPort, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        IReadOnlyDictionary<string, string>? info = null;
        while (DateTime.UtcNow < deadline)
        {
            info = await InfoAsync(port).ConfigureAwait(false);
            if (info is not null &&
                info.GetValueOrDefault("role") == "slave" &&
                info.GetValueOrDefault("master_port") == Port(primaryPort) &&
                info.GetValueOrDefault("master_link_status") == "up")
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"The server on port {port} did not become an in-sync replica of port {primaryPort} within {within}: {Describe(info)}");
    }

    /// <summary>Waits until the server on <paramref name="port"/> reports the role <c>master</c>.</summary>
    public static async Task WaitForPrimaryAsync(int port, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        IReadOnlyDictionary<string, string>? info = null;
        while (DateTime.UtcNow < deadline)
        {
            info = await InfoAsync(port).ConfigureAwait(false);
            if (info?.GetValueOrDefault("role") == "master")
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"The server on port {port} did not become a primary within {within}: {Describe(info)}");
    }

    static string Describe(IReadOnlyDictionary<string, string>? info) =>
        info is null ? "it does not answer" : string.Join(", ", info.Where(p => p.Key is "role" or "master_port" or "master_link_status" or "connected_slaves").Select(p => $"{p.Key}={p.Value}"));

    static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
