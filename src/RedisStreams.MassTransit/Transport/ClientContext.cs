using MassTransit;
using MassTransit.Agents;
using MassTransit.Internals;
using MassTransit.Middleware;
using MassTransit.Transports;
using RedisStreams.MassTransit.Configuration;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>The pipe context every send and receive runs in: the engine client on the bus's Redis connection.</summary>
internal interface IClientContext : PipeContext
{
    RedisStreamsClient Client { get; }
}

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

/// <summary>Connects to Redis when the first send or receive needs it.</summary>
internal sealed class ConnectionContextFactory : IPipeContextFactory<IClientContext>
{
    readonly RedisStreamsHostSettings _settings;

    public ConnectionContextFactory(RedisStreamsHostSettings settings)
    {
        _settings = settings;
    }

    public IPipeContextAgent<IClientContext> CreateContext(ISupervisor supervisor) =>
        supervisor.AddContext(ConnectAsync(supervisor.Stopped));

    public IActivePipeContextAgent<IClientContext> CreateActiveContext(ISupervisor supervisor, PipeContextHandle<IClientContext> context, CancellationToken cancellationToken) =>
        supervisor.AddActiveContext(context, ShareAsync(context.Context, cancellationToken));

    async Task<IClientContext> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var client = await _settings.ConnectAsync(new RedisStreamsOptions { KeyPrefix = _settings.KeyPrefix }).ConfigureAwait(false);
            return new RedisStreamsClientContext(client, cancellationToken);
        }
        catch (Exception e) when (e is not ConnectionException)
        {
            throw new ConnectionException($"Connecting to Redis for {_settings.HostAddress} failed: {e.Message}", e);
        }
    }

    internal static async Task<IClientContext> ShareAsync(Task<IClientContext> context, CancellationToken cancellationToken) =>
        new SharedClientContext(await context.OrCanceled(cancellationToken).ConfigureAwait(false), cancellationToken);
}

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

/// <summary>Keeps a client context available, recreating it after a fault; the host's one owns the connection.</summary>
internal sealed class ClientContextSupervisor : TransportPipeContextSupervisor<IClientContext>
{
    public ClientContextSupervisor(RedisStreamsHostSettings settings)
        : base(new ConnectionContextFactory(settings))
    {
    }

    ClientContextSupervisor(ClientContextSupervisor parent, bool forSending)
        : base(new ChildContextFactory(parent))
    {
        if (forSending)
        {
            parent.AddSendAgent(this);
        }
        else
        {
            parent.AddConsumeAgent(this);
        }
    }

    public ClientContextSupervisor CreateChild(bool forSending) => new(this, forSending);
}
