using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Diagnostics;
using StackExchange.Redis;

namespace RedisStreams.Transport.Connection;

/// <summary>
/// Logs when a connection to Redis is lost (warning, once per endpoint and outage, however many of the
/// multiplexer's connections fail or how often reconnecting fails) and when it is back.
/// </summary>
internal sealed class ConnectionWatch : IDisposable
{
    readonly IConnectionMultiplexer _multiplexer;
    readonly ILogger _logger;
    readonly ConcurrentDictionary<string, bool> _down = new(StringComparer.Ordinal);

    public ConnectionWatch(IConnectionMultiplexer multiplexer, ILogger logger)
    {
        _multiplexer = multiplexer;
        _logger = logger;
        multiplexer.ConnectionFailed += OnFailed;
        multiplexer.ConnectionRestored += OnRestored;
    }

    void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        var endpoint = RedisEndpointText.DescribeOrUnknown(e.EndPoint);
        if (_down.TryAdd(endpoint, true))
        {
            _logger.ConnectionLost(e.Exception, endpoint, e.FailureType.ToString());
        }
    }

    void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        var endpoint = RedisEndpointText.DescribeOrUnknown(e.EndPoint);
        if (_down.TryRemove(endpoint, out _))
        {
            _logger.ConnectionRestored(endpoint);
        }
    }

    public void Dispose()
    {
        _multiplexer.ConnectionFailed -= OnFailed;
        _multiplexer.ConnectionRestored -= OnRestored;
    }
}
