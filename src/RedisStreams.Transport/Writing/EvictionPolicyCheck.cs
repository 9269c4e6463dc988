using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Connection;
using RedisStreams.Transport.Diagnostics;
using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>
/// Refuses to run on a Redis whose <c>maxmemory-policy</c> evicts keys: under memory pressure such a server
/// deletes queues, and the messages in them are gone with no error to anyone. Read from <c>INFO memory</c>,
/// which works where <c>CONFIG</c> is not allowed, on every primary. Checked once before the first write or
/// receiver start, and again after every reconnect or configuration change (a failover may bring a
/// differently configured server).
/// </summary>
internal sealed class EvictionPolicyCheck : IDisposable
{
    const string Safe = "noeviction";

    readonly IConnectionMultiplexer _multiplexer;
    readonly bool _allowEvicting;
    readonly ILogger _logger;
    readonly Lock _lock = new();
    readonly EventHandler<ConnectionFailedEventArgs> _onRestored;
    readonly EventHandler<EndPointEventArgs> _onChanged;
    Task? _check;

    public EvictionPolicyCheck(IConnectionMultiplexer multiplexer, bool allowEvicting, ILogger logger)
    {
        _multiplexer = multiplexer;
        _allowEvicting = allowEvicting;
        _logger = logger;
        _onRestored = (_, _) => Reset();
        _onChanged = (_, _) => Reset();
        _multiplexer.ConnectionRestored += _onRestored;
        _multiplexer.ConfigurationChanged += _onChanged;
    }

    /// <summary>Stops listening to the multiplexer, which may outlive the client (a borrowed one).</summary>
    public void Dispose()
    {
        _multiplexer.ConnectionRestored -= _onRestored;
        _multiplexer.ConfigurationChanged -= _onChanged;
    }

    /// <summary>Completes when every primary was found safe (or the refusal is turned into a warning); throws otherwise.</summary>
    /// <exception cref="RedisStreamsConnectionException">A primary runs an evicting policy.</exception>
    public Task EnsureAsync()
    {
        var check = Volatile.Read(ref _check);
        if (check is { IsCompletedSuccessfully: true })
        {
            return check;
        }

        lock (_lock)
        {
            // A failed check (refused, or Redis unreachable) is tried again by the next caller.
            if (_check is null || _check.IsFaulted || _check.IsCanceled)
            {
                _check = CheckAsync();
            }

            return _check;
        }
    }

    void Reset()
    {
        lock (_lock)
        {
            _check = null;
        }
    }

    async Task CheckAsync()
    {
        var primaries = _multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToList();
        if (primaries.Count == 0)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No Redis primary is connected; its maxmemory-policy cannot be checked yet.");
        }

        foreach (var server in primaries)
        {
            var endpoint = RedisEndpointText.Describe(server.EndPoint);
            string info;
            try
            {
                info = await ServerInfo.ReadAsync(server, "memory").ConfigureAwait(false);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOPERM", StringComparison.Ordinal))
            {
                _logger.EvictionPolicyUnverified(endpoint);
                continue;
            }

            var policy = ServerInfo.Field(info, "maxmemory_policy");
            if (policy is null || policy == Safe)
            {
                continue;
            }

            if (_allowEvicting)
            {
                _logger.EvictionPolicyAllowed(endpoint, policy);
                continue;
            }

            _logger.EvictionPolicyRefused(endpoint, policy);
            throw new RedisStreamsConnectionException(
                $"Redis at {endpoint} runs maxmemory-policy '{policy}', which evicts keys when memory runs short: it would delete queues, and the messages in them would be lost with no error to anyone. " +
                "Set the policy to noeviction (CONFIG SET maxmemory-policy noeviction, and maxmemory-policy noeviction in redis.conf so it survives a restart); Redis then refuses new writes when full, which senders see, and consumers can still drain. " +
                "To run anyway, set RedisStreamsOptions.AllowEvictingPolicy = true (a warning is logged instead).");
        }
    }
}
