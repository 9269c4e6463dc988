using MassTransit;
using MassTransit.Transports;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Runs a message receiver for as long as the endpoint's transport runs.</summary>
internal sealed class RedisStreamsConsumerFilter : IFilter<IClientContext>
{
    readonly RedisStreamsReceiveEndpointContext _context;

    public RedisStreamsConsumerFilter(RedisStreamsReceiveEndpointContext context)
    {
        _context = context;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("redisStreamsConsumer");

    public async Task Send(IClientContext context, IPipe<IClientContext> next)
    {
        var receiver = new RedisStreamsMessageReceiver(context, _context);
        await receiver.Ready.ConfigureAwait(false);
        _context.ReceiverIs(running: true);
        _context.AddConsumeAgent(receiver);
        await _context.TransportObservers.NotifyReady(_context.InputAddress).ConfigureAwait(false);
        try
        {
            await receiver.Completed.ConfigureAwait(false);
        }
        finally
        {
            _context.ReceiverIs(running: false);

            // A receiver that lost Redis already reported the fault: "completed" would turn the endpoint Degraded.
            if (receiver.ConnectionFault is null)
            {
                DeliveryMetrics metrics = receiver;
                await _context.TransportObservers.NotifyCompleted(_context.InputAddress, metrics).ConfigureAwait(false);
            }
        }

        // Faults the transport: MassTransit restarts it with back-off, and it reports Ready once Redis answers.
        if (receiver.ConnectionFault is { } fault)
        {
            throw fault;
        }
    }
}
