using MassTransit;
using MassTransit.Agents;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Borrows the parent supervisor's context, so an endpoint or send transport can stop on its own.</summary>
internal sealed class ChildContextFactory : IPipeContextFactory<IClientContext>
{
    readonly ClientContextSupervisor _parent;

    public ChildContextFactory(ClientContextSupervisor parent)
    {
        _parent = parent;
    }

    public IPipeContextAgent<IClientContext> CreateContext(ISupervisor supervisor)
    {
        var asyncContext = supervisor.AddAsyncContext<IClientContext>();
        _ = _parent.CreateAgent(
            asyncContext,
            static (context, cancellationToken) => Task.FromResult<IClientContext>(new SharedClientContext(context, cancellationToken)),
            supervisor.Stopped);
        return asyncContext;
    }

    public IActivePipeContextAgent<IClientContext> CreateActiveContext(ISupervisor supervisor, PipeContextHandle<IClientContext> context, CancellationToken cancellationToken) =>
        supervisor.AddActiveContext(context, ConnectionContextFactory.ShareAsync(context.Context, cancellationToken));
}
