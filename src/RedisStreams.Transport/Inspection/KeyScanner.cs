using StackExchange.Redis;

namespace RedisStreams.Transport.Inspection;

/// <summary>
/// Finds keys by pattern on every primary: on a Redis Cluster each primary holds its own slots, so one
/// server's <c>SCAN</c> sees only part of the keys. <c>SCAN</c> walks the keyspace in pages and never blocks
/// the server the way <c>KEYS</c> does.
/// </summary>
internal sealed class KeyScanner
{
    const int PageSize = 1000;
    readonly IConnectionMultiplexer _multiplexer;

    public KeyScanner(IConnectionMultiplexer multiplexer)
    {
        _multiplexer = multiplexer;
    }

    /// <summary>Every key matching <paramref name="pattern"/> on every connected primary; a key is seen once per scan.</summary>
    public async Task<IReadOnlyList<string>> ScanAsync(string pattern, CancellationToken cancellationToken = default)
    {
        var database = _multiplexer.GetDatabase().Database;
        var primaries = _multiplexer.GetServers().Where(s => !s.IsReplica && s.IsConnected).ToList();
        if (primaries.Count == 0)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No Redis primary is connected, so the keys cannot be listed. Check that Redis is reachable.");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in primaries)
        {
            await foreach (var key in server.KeysAsync(database, pattern, PageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(key!);
            }
        }

        return [.. keys];
    }
}
