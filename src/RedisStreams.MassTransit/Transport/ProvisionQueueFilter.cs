using MassTransit;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Creates the queue and its group and registers the endpoint's subscriptions before it consumes.</summary>
internal sealed class ProvisionQueueFilter : IFilter<IClientContext>
{
    readonly RedisStreamsReceiveEndpointContext _context;
    bool _purged;

    public ProvisionQueueFilter(RedisStreamsReceiveEndpointContext context)
    {
        _context = context;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("provisionQueue");

    public async Task Send(IClientContext context, IPipe<IClientContext> next)
    {
        var settings = _context.Settings;
        var client = context.Client;
        await client.ProvisionQueueAsync(settings.QueueName).ConfigureAwait(false);
        foreach (var topic in settings.Topics)
        {
            await client.Subscriptions.SubscribeAsync(topic, settings.QueueName).ConfigureAwait(false);
        }

        if (settings.PurgeOnStartup == true && !_purged)
        {
            var removed = await client.PurgeQueueAsync(settings.QueueName).ConfigureAwait(false);
            _purged = true;
            LogContext.Debug?.Log("Purged {Count} messages from {Queue}", removed, settings.QueueName);
        }

        await next.Send(context).ConfigureAwait(false);
    }
}
