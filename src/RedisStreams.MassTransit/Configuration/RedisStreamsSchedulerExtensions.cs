using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RedisStreams.MassTransit.Scheduling;

namespace MassTransit;

/// <summary>Registers the Redis Streams message scheduler, whose <c>CancelScheduledSend</c> really cancels.</summary>
public static class RedisStreamsSchedulerExtensions
{
    /// <summary>
    /// Lets consumers schedule messages (<c>context.ScheduleSend</c>, <c>UseScheduledRedelivery</c>) with the
    /// transport's native delayed delivery.
    /// </summary>
    /// <param name="configurator">The bus configurator.</param>
    public static void UseRedisStreamsMessageScheduler(this IBusFactoryConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.AddPrePipeSpecification(new RedisStreamsMessageSchedulerFilter());
    }

    /// <summary>Registers <see cref="IMessageScheduler"/> for code outside consumers, on the Redis Streams bus.</summary>
    /// <param name="configurator">The registration configurator.</param>
    public static void AddRedisStreamsMessageScheduler(this IBusRegistrationConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.TryAddScoped<IMessageScheduler>(provider =>
        {
            var bus = provider.GetRequiredService<IBusInstance>();
            return RedisStreamsScheduleMessageProvider.Create(provider.GetRequiredService<ISendEndpointProvider>(), bus.Bus.Topology, bus.HostConfiguration);
        });
    }
}
