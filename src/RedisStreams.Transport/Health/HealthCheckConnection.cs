using Microsoft.Extensions.Logging;

namespace RedisStreams.Transport.Health;

/// <summary>
/// The connection of a health check registered with a connection string: opened by the first check, shared by
/// later ones, closed with the container. A connection refused (wrong password, say) is tried again by the next check.
/// </summary>
internal sealed class HealthCheckConnection(string connection, RedisStreamsOptions options, ILoggerFactory? loggerFactory) : IAsyncDisposable
{
    readonly Lock _gate = new();
    Task<RedisStreamsClient>? _client;

    public Task<RedisStreamsClient> GetAsync()
    {
        lock (_gate)
        {
            if (_client is null || _client.IsFaulted || _client.IsCanceled)
            {
                _client = RedisStreamsClient.ConnectAsync(connection, options, loggerFactory);
            }

            return _client;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<RedisStreamsClient>? client;
        lock (_gate)
        {
            client = _client;
            _client = null;
        }

        if (client is { IsCompletedSuccessfully: true })
        {
            await client.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
