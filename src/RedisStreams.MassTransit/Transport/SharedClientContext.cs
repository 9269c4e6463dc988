using MassTransit.Middleware;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>A borrowed view of a client context with its own cancellation, for child supervisors.</summary>
internal sealed class SharedClientContext : ProxyPipeContext, IClientContext
{
    public SharedClientContext(IClientContext context, CancellationToken cancellationToken)
        : base(context)
    {
        Client = context.Client;
        CancellationToken = cancellationToken;
    }

    public override CancellationToken CancellationToken { get; }

    public RedisStreamsClient Client { get; }
}
