using MassTransit.Middleware;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Owns the engine client of a running bus; disposing closes a connection the bus opened.</summary>
internal sealed class RedisStreamsClientContext : BasePipeContext, IClientContext, IAsyncDisposable
{
    public RedisStreamsClientContext(RedisStreamsClient client, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        Client = client;
    }

    public RedisStreamsClient Client { get; }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
