using MassTransit.Middleware;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Owns the engine client of a running bus; disposing closes a connection the bus opened.</summary>
internal sealed class RedisStreamsClientContext : BasePipeContext, IClientContext, IAsyncDisposable
{
    readonly IDisposable _connectionWatch;

    public RedisStreamsClientContext(RedisStreamsClient client, IDisposable connectionWatch, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        Client = client;
        _connectionWatch = connectionWatch;
    }

    public RedisStreamsClient Client { get; }

    public ValueTask DisposeAsync()
    {
        _connectionWatch.Dispose();
        return Client.DisposeAsync();
    }
}
