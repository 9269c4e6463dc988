using MassTransit;
using MassTransit.Agents;
using MassTransit.Internals;
using RedisStreams.MassTransit.Configuration;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Connects to Redis when the first send or receive needs it.</summary>
internal sealed class ConnectionContextFactory : IPipeContextFactory<IClientContext>
{
    readonly RedisStreamsHostSettings _settings;
    readonly ConnectionHealth _connectionHealth;

    public ConnectionContextFactory(RedisStreamsHostSettings settings, ConnectionHealth connectionHealth)
    {
        _settings = settings;
        _connectionHealth = connectionHealth;
    }

    public IPipeContextAgent<IClientContext> CreateContext(ISupervisor supervisor) =>
        supervisor.AddContext(ConnectAsync(supervisor.Stopped));

    public IActivePipeContextAgent<IClientContext> CreateActiveContext(ISupervisor supervisor, PipeContextHandle<IClientContext> context, CancellationToken cancellationToken) =>
        supervisor.AddActiveContext(context, ShareAsync(context.Context, cancellationToken));

    async Task<IClientContext> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var client = await _settings.ConnectAsync(_settings.CreateEngineOptions()).ConfigureAwait(false);
            return new RedisStreamsClientContext(client, _connectionHealth.Watch(client.Multiplexer), cancellationToken);
        }
        catch (Exception e) when (e is not ConnectionException)
        {
            throw new ConnectionException($"Connecting to Redis for {_settings.HostAddress} failed: {e.Message}", e);
        }
    }

    internal static async Task<IClientContext> ShareAsync(Task<IClientContext> context, CancellationToken cancellationToken) =>
        new SharedClientContext(await context.OrCanceled(cancellationToken).ConfigureAwait(false), cancellationToken);
}
