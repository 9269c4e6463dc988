using StackExchange.Redis;

namespace RedisStreams.Testing;

/// <summary>A Redis server or cluster the tests talk to, however it was obtained.</summary>
public sealed class RedisEndpoint
{
    readonly Lazy<Task<IConnectionMultiplexer>> _admin;

    internal RedisEndpoint(string connectionString, bool isCluster, string description)
    {
        ConnectionString = connectionString;
        IsCluster = isCluster;
        Description = description;
        _admin = new Lazy<Task<IConnectionMultiplexer>>(() => ConnectAsync("redis-streams-test-admin", allowAdmin: true));
    }

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:12345</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>The first endpoint as a <c>redis://</c> URI.</summary>
    public string Uri => "redis://" + ConnectionString.Split(',')[0];

    /// <summary>Whether this is a Redis Cluster.</summary>
    public bool IsCluster { get; }

    /// <summary>Where the server came from, for test output.</summary>
    public string Description { get; }

    /// <summary>Opens a new multiplexer that reconnects by itself; the caller disposes it.</summary>
    public async Task<IConnectionMultiplexer> ConnectAsync(string? clientName = null, bool allowAdmin = false)
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AllowAdmin = allowAdmin;
        options.AbortOnConnectFail = false;
        options.ClientName = clientName ?? "redis-streams-test";
        options.ConnectRetry = 5;
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        if (!multiplexer.IsConnected)
        {
            multiplexer.Dispose();
            throw new InvalidOperationException($"Could not connect to the test Redis at {ConnectionString} ({Description}).");
        }

        return multiplexer;
    }

    /// <summary>The fixture's own connection, for administration from tests (never killed by <see cref="KillClientConnectionsAsync"/>).</summary>
    public Task<IConnectionMultiplexer> AdminAsync() => _admin.Value;

    /// <summary>Every primary server of the endpoint.</summary>
    public async Task<IServer[]> PrimariesAsync()
    {
        var admin = await AdminAsync().ConfigureAwait(false);
        return [.. admin.GetServers().Where(s => !s.IsReplica)];
    }

    /// <summary>
    /// Kills every client connection on every node except the fixture's own admin connection, the way a
    /// network blip or a failover does. Clients are expected to reconnect by themselves.
    /// </summary>
    /// <returns>How many connections were killed.</returns>
    public async Task<long> KillClientConnectionsAsync()
    {
        long killed = 0;
        foreach (var server in await PrimariesAsync().ConfigureAwait(false))
        {
            killed += (long)await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").ConfigureAwait(false);
            killed += (long)await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "yes").ConfigureAwait(false);
        }

        return killed;
    }

    /// <summary>Sums the calls of one command (e.g. <c>evalsha</c>), or of all commands when <c>null</c>, from <c>INFO commandstats</c> over all primaries.</summary>
    public async Task<long> CommandCallsAsync(string? command = null)
    {
        long calls = 0;
        foreach (var server in await PrimariesAsync().ConfigureAwait(false))
        {
            var info = await server.InfoAsync("commandstats").ConfigureAwait(false);
            foreach (var pair in info.SelectMany(g => g).Where(p => command is null || p.Key == "cmdstat_" + command))
            {
                var callsPart = pair.Value.Split(',')[0];
                calls += long.Parse(callsPart["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    /// <inheritdoc />
    public override string ToString() => $"{ConnectionString} ({Description})";
}
