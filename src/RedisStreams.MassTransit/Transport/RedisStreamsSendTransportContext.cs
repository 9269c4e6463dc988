using System.Diagnostics;
using MassTransit;
using MassTransit.Context;
using MassTransit.Transports;
using RedisStreams.MassTransit.Configuration;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Writes messages to one queue, or publishes them to one topic's subscribers.</summary>
internal sealed class RedisStreamsSendTransportContext : BaseSendTransportContext, SendTransportContext<IClientContext>
{
    readonly RedisStreamsHostConfiguration _hostConfiguration;
    readonly ClientContextSupervisor _supervisor;
    readonly bool _isTopic;
    readonly string[] _links;

    // The client the links were written through. Its registry remembers them and writes them again whenever
    // Redis loses them; a new client (the connection was recreated after a fault) has to be told again.
    volatile RedisStreamsClient? _linkedOn;

    public RedisStreamsSendTransportContext(
        RedisStreamsHostConfiguration hostConfiguration,
        ReceiveEndpointContext endpointContext,
        string entityName,
        bool isTopic,
        string[] links)
        : base(hostConfiguration, endpointContext.Serialization)
    {
        _hostConfiguration = hostConfiguration;
        _supervisor = hostConfiguration.ConnectionSupervisor.CreateChild(forSending: true);
        EntityName = entityName;
        _isTopic = isTopic;
        _links = links;
    }

    public override string EntityName { get; }

    public override string ActivitySystem => "redis";

    public void Probe(ProbeContext context) => context.Add(_isTopic ? "topic" : "queue", EntityName);

    public override IEnumerable<IAgent> GetAgentHandles() => [_supervisor];

    public Task Send(IPipe<IClientContext> pipe, CancellationToken cancellationToken = default) =>
        _hostConfiguration.Retry(() => _supervisor.Send(pipe, cancellationToken), cancellationToken, _supervisor.SendStopping);

    public override async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
    {
        var context = new MessageSendContext<T>(message, cancellationToken);
        await pipe.Send(context).ConfigureAwait(false);
        return context;
    }

    public Task<SendContext<T>> CreateSendContext<T>(IClientContext context, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class =>
        CreateSendContext(message, pipe, cancellationToken);

    public async Task Send<T>(IClientContext transportContext, SendContext<T> sendContext)
        where T : class
    {
        var context = sendContext as MessageSendContext<T> ?? throw new ArgumentException("Invalid SendContext<T> type", nameof(sendContext));
        sendContext.CancellationToken.ThrowIfCancellationRequested();
        var message = OutgoingMessages.From(context);
        var client = transportContext.Client;
        if (_isTopic)
        {
            Activity.Current?.SetTag("messaging.destination.kind", "topic");
        }

        // The engine retries writes through an outage or a failover for WriteRetryTimeout and then fails with a
        // RedisStreamsWriteException that names the destination, the endpoint and the cause; out of memory fails
        // at once. Nothing here retries on top of that, so the caller learns within the bound.
        if (_isTopic)
        {
            if (_linkedOn != client)
            {
                foreach (var link in _links)
                {
                    await client.Subscriptions.LinkTopicsAsync(EntityName, link).ConfigureAwait(false);
                }

                _linkedOn = client;
            }

            await client.PublishAsync(EntityName, message, sendContext.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            await client.SendAsync(EntityName, message, sendContext.CancellationToken).ConfigureAwait(false);
        }
    }
}
