using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Scheduling;
using MassTransit.Transports;
using RedisStreams.MassTransit.Configuration;
using RedisStreams.MassTransit.Transport;

namespace RedisStreams.MassTransit.Scheduling;

/// <summary>
/// Schedules with the transport's native delayed delivery under the message's schedule token id, so
/// <c>CancelScheduledSend(destination, tokenId)</c> really removes a message that is not yet due.
/// </summary>
internal sealed class RedisStreamsScheduleMessageProvider : IScheduleMessageProvider
{
    readonly ISendEndpointProvider _sendEndpointProvider;
    readonly RedisStreamsHostConfiguration _hostConfiguration;

    public RedisStreamsScheduleMessageProvider(ISendEndpointProvider sendEndpointProvider, RedisStreamsHostConfiguration hostConfiguration)
    {
        _sendEndpointProvider = sendEndpointProvider;
        _hostConfiguration = hostConfiguration;
    }

    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class
    {
        if (!MessageTypeCache<T>.IsValidMessageType)
        {
            throw new ArgumentException(MessageTypeCache<T>.InvalidMessageTypeReason, nameof(message));
        }

        var schedulePipe = new ScheduleSendPipe<T>(pipe, scheduledTime) { ScheduledMessageId = ScheduleTokenIdCache<T>.GetTokenId(message) };
        var endpoint = await _sendEndpointProvider.GetSendEndpoint(destinationAddress).ConfigureAwait(false);
        await endpoint.Send(message, schedulePipe, cancellationToken).ConfigureAwait(false);
        return new ScheduledMessageHandle<T>(schedulePipe.ScheduledMessageId ?? NewId.NextGuid(), scheduledTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken)
    {
        // Without the destination there is no queue to look in; MassTransit's own callers pass it.
        LogContext.Warning?.Log("CancelScheduledSend without a destination address cannot cancel {TokenId}; pass the destination", tokenId);
        return Task.CompletedTask;
    }

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken)
    {
        var address = new RedisStreamsEndpointAddress(_hostConfiguration.HostAddress, destinationAddress);
        return _hostConfiguration.ConnectionSupervisor.Send(Pipe.ExecuteAsync<IClientContext>(async context =>
        {
            var cancelled = address.IsTopic
                ? await CancelForSubscribersAsync(context, address.Name, tokenId).ConfigureAwait(false)
                : await context.Client.CancelScheduledAsync(address.Name, tokenId.ToString("N")).ConfigureAwait(false);
            LogContext.Debug?.Log("CANCEL {DestinationAddress} {TokenId} {Cancelled}", destinationAddress, tokenId, cancelled);
        }), cancellationToken);
    }

    static async Task<bool> CancelForSubscribersAsync(IClientContext context, string topic, Guid tokenId)
    {
        var cancelled = false;
        foreach (var queue in await context.Client.Subscriptions.ResolveQueuesAsync(topic).ConfigureAwait(false))
        {
            cancelled |= await context.Client.CancelScheduledAsync(queue, tokenId.ToString("N")).ConfigureAwait(false);
        }

        return cancelled;
    }

    public static IMessageScheduler Create(ISendEndpointProvider sendEndpointProvider, IBusTopology topology, IHostConfiguration hostConfiguration) =>
        new MessageScheduler(
            new RedisStreamsScheduleMessageProvider(
                sendEndpointProvider,
                hostConfiguration as RedisStreamsHostConfiguration ?? throw new ConfigurationException("The Redis Streams message scheduler needs a bus that uses Redis Streams (UsingRedisStreams).")),
            topology);
}

/// <summary>Adds a <see cref="MessageSchedulerContext"/> backed by the Redis Streams scheduler to every consume context.</summary>
internal sealed class RedisStreamsMessageSchedulerFilter : IFilter<ConsumeContext>, IPipeSpecification<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("redisStreamsScheduler");

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, Factory));
        return next.Send(context);
    }

    static IMessageScheduler Factory(ConsumeContext context)
    {
        var endpoint = context.GetPayload<ReceiveEndpointContext>() as RedisStreamsReceiveEndpointContext
            ?? throw new ConfigurationException("UseRedisStreamsMessageScheduler needs a bus that uses Redis Streams (UsingRedisStreams).");
        return RedisStreamsScheduleMessageProvider.Create(context, context.GetPayload<IBusTopology>(), endpoint.HostConfiguration);
    }

    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(this);

    public IEnumerable<ValidationResult> Validate() => [];
}
