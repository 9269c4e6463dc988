using RedisStreams.Transport.Connection;
using StackExchange.Redis;

namespace RedisStreams.Transport.Subscriptions;

/// <summary>
/// Who the primaries are: per endpoint, the process (<c>run_id</c>, new on every restart) and its replication
/// history (<c>master_replid</c>, new when a replica is promoted). A change means the server restarted or
/// failed over and may have lost writes, even where older keys survived. Used by one loop at a time.
/// </summary>
internal sealed class ServerIdentities
{
    readonly Dictionary<string, string> _known = new(StringComparer.Ordinal);
    bool _hasBaseline;

    /// <summary>
    /// Reads the identity of every connected primary (<c>INFO server</c> and <c>INFO replication</c>) and
    /// returns the primaries that changed since the last call: another identity, or an endpoint that was not a
    /// primary before (a promoted replica). The first call only records.
    /// </summary>
    public async Task<IReadOnlyList<ServerChange>> RefreshAsync(IConnectionMultiplexer multiplexer)
    {
        var reads = multiplexer.GetServers()
            .Where(s => s.IsConnected && !s.IsReplica && s.ServerType != ServerType.Sentinel)
            .Select(s => (EndPoint: RedisEndpointText.Describe(s.EndPoint), Identity: ReadAsync(s)))
            .ToList();

        await Task.WhenAll(reads.Select(r => r.Identity)).ConfigureAwait(false);
        var changes = new List<ServerChange>();
        foreach (var (endPoint, read) in reads)
        {
            var identity = read.Result;
            if (identity is null)
            {
                continue;
            }

            if (_known.TryGetValue(endPoint, out var before))
            {
                if (!string.Equals(before, identity, StringComparison.Ordinal))
                {
                    changes.Add(new ServerChange(endPoint, before, identity));
                }
            }
            else if (_hasBaseline)
            {
                changes.Add(new ServerChange(endPoint, "not a primary", identity));
            }

            _known[endPoint] = identity;
        }

        _hasBaseline = true;
        return changes;
    }

    /// <summary>The server's identity, or <c>null</c> when it is not a primary (any more) or may not be asked.</summary>
    static async Task<string?> ReadAsync(IServer server)
    {
        string process;
        string replication;
        try
        {
            var processInfo = ServerInfo.ReadAsync(server, "server");
            var replicationInfo = ServerInfo.ReadAsync(server, "replication");
            await Task.WhenAll(processInfo, replicationInfo).ConfigureAwait(false);
            process = processInfo.Result;
            replication = replicationInfo.Result;
        }
        catch (Exception e) when (e is RedisServerException or RedisCommandException)
        {
            // INFO refused (an ACL without +info, a renamed command): the epochs alone still catch lost topics.
            return null;
        }

        if (ServerInfo.Field(replication, "role") != "master")
        {
            return null;
        }

        return $"run_id {ServerInfo.Field(process, "run_id")}, master_replid {ServerInfo.Field(replication, "master_replid")}";
    }
}

/// <summary>A primary that is not the server it was.</summary>
/// <param name="EndPoint">Where it listens.</param>
/// <param name="Before">Its identity before.</param>
/// <param name="Now">Its identity now.</param>
internal sealed record ServerChange(string EndPoint, string Before, string Now);
