using RedisStreams.MassTransit.Configuration;

namespace MassTransit;

/// <summary>Registers the Redis Streams transport with MassTransit.</summary>
public static class RedisStreamsBusFactoryConfiguratorExtensions
{
    /// <summary>
    /// Uses Redis Streams as the bus transport. Without a <c>cfg.Host(...)</c> call the bus connects with the
    /// registered <see cref="RedisStreamsTransportOptions"/> (default <c>redis://localhost:6379</c>).
    /// </summary>
    /// <param name="configurator">The registration configurator.</param>
    /// <param name="configure">Configures the bus: host, endpoints, middleware.</param>
    public static void UsingRedisStreams(
        this IBusRegistrationConfigurator configurator,
        Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.SetBusFactory(new RedisStreamsRegistrationBusFactory(configure));
    }
}
