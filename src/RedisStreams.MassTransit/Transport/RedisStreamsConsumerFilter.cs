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
        _context.AddConsumeAgent(receiver);
        await _context.TransportObservers.NotifyReady(_context.InputAddress).ConfigureAwait(false);
        try
        {
            await receiver.Completed.ConfigureAwait(false);
        }
        finally
        {
            DeliveryMetrics metrics = receiver;
            await _context.TransportObservers.NotifyCompleted(_context.InputAddress, metrics).ConfigureAwait(false);
        }
    }
}
