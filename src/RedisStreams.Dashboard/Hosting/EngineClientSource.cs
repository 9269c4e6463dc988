using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Dashboard.Hosting;

/// <summary>
/// Where the dashboard's engine client comes from: its own connection (from <see cref="RedisStreamsDashboardOptions.Connection"/>),
/// connected on first use and kept; or the application's client or multiplexer from the container, borrowed.
/// </summary>
internal sealed class EngineClientSource : IAsyncDisposable
{
    /// <summary>After a refused connect (wrong password, TLS), requests fail at once for this long rather than retry each time.</summary>
    static readonly TimeSpan RefusalBackoff = TimeSpan.FromSeconds(5);

    readonly SemaphoreSlim _connecting = new(1, 1);
    readonly string? _connection;
    readonly RedisStreamsOptions _engineOptions;
    readonly ILoggerFactory? _loggerFactory;
    RedisStreamsClient? _client;
    readonly bool _owned;
    (DateTime At, Exception Error)? _lastRefusal;

    EngineClientSource(RedisStreamsClient? client, bool owned, string? connection, RedisStreamsOptions engineOptions, string endpoints, string? password, ILoggerFactory? loggerFactory)
    {
        _client = client;
        _owned = owned;
        _connection = connection;
        _engineOptions = engineOptions;
        _loggerFactory = loggerFactory;
        Endpoints = endpoints;
        Password = password;
    }

    /// <summary>Where the connection goes, host and port only: what the pages may show.</summary>
    public string Endpoints { get; }

    /// <summary>The key prefix the dashboard reads.</summary>
    public string KeyPrefix => _engineOptions.KeyPrefix;

    /// <summary>The password of a connection the dashboard owns, to scrub from any text it returns; <c>null</c> otherwise.</summary>
    public string? Password { get; }

    /// <summary>Chooses the source from the options and the container; fails at start-up when there is none.</summary>
    public static EngineClientSource Create(RedisStreamsDashboardOptions options, IServiceProvider services)
    {
        var loggerFactory = services.GetService<ILoggerFactory>();
        if (options.Connection is { } connection)
        {
            // Parsed now, so a malformed connection fails the host at start-up with the engine's message.
            var configuration = RedisStreamsClient.ParseConnection(connection);
            var engineOptions = new RedisStreamsOptions();
            if (options.KeyPrefix is not null)
            {
                engineOptions.KeyPrefix = options.KeyPrefix;
            }

            return new EngineClientSource(null, owned: true, connection, engineOptions, RedisEndpointText.Describe(configuration.EndPoints), configuration.Password, loggerFactory);
        }

        if (services.GetService<RedisStreamsClient>() is { } registered)
        {
            if (options.KeyPrefix is null || options.KeyPrefix == registered.Options.KeyPrefix)
            {
                return new EngineClientSource(registered, owned: false, null, registered.Options, RedisEndpointText.Describe(registered.Multiplexer.GetEndPoints()), null, loggerFactory);
            }

            return Borrow(registered.Multiplexer, options.KeyPrefix, loggerFactory);
        }

        if (services.GetService<IConnectionMultiplexer>() is { } multiplexer)
        {
            return Borrow(multiplexer, options.KeyPrefix, loggerFactory);
        }

        throw new InvalidOperationException(
            "The RedisStreams dashboard has no Redis to show: set RedisStreamsDashboardOptions.Connection " +
            "(MapRedisStreamsDashboard(\"/redis-streams\", o => o.Connection = \"redis://...\")), or register a RedisStreamsClient or an IConnectionMultiplexer in the container.");
    }

    static EngineClientSource Borrow(IConnectionMultiplexer multiplexer, string? keyPrefix, ILoggerFactory? loggerFactory)
    {
        var engineOptions = new RedisStreamsOptions();
        if (keyPrefix is not null)
        {
            engineOptions.KeyPrefix = keyPrefix;
        }

        // A client over a borrowed multiplexer never disposes it; only the client itself is the dashboard's.
        var client = new RedisStreamsClient(multiplexer, engineOptions, loggerFactory);
        return new EngineClientSource(client, owned: true, null, client.Options, RedisEndpointText.Describe(multiplexer.GetEndPoints()), null, loggerFactory);
    }

    /// <summary>The engine client; connects the dashboard's own connection on first use.</summary>
    /// <exception cref="RedisStreamsConnectionException">Redis refused the credentials or the TLS handshake.</exception>
    public async Task<RedisStreamsClient> GetAsync()
    {
        if (Volatile.Read(ref _client) is { } client)
        {
            return client;
        }

        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_client is not null)
            {
                return _client;
            }

            if (_lastRefusal is { } refusal && DateTime.UtcNow - refusal.At < RefusalBackoff)
            {
                throw refusal.Error;
            }

            try
            {
                // The connection reconnects in the background once made: a Redis that is down now is retried by
                // StackExchange.Redis, and requests meanwhile fail with a connection error (503).
                var connected = await RedisStreamsClient.ConnectAsync(_connection!, _engineOptions, _loggerFactory).ConfigureAwait(false);
                Volatile.Write(ref _client, connected);
                return connected;
            }
            catch (RedisStreamsConnectionException e)
            {
                _lastRefusal = (DateTime.UtcNow, e);
                throw;
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned && _client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }
}
