using Microsoft.Extensions.Logging;
using Rebus.Bus;
using Rebus.Logging;
using Rebus.Pipeline;
using Rebus.Retry;
using Rebus.Subscriptions;
using Rebus.Time;
using Rebus.Transport;
using Rebus.Workers.ThreadPoolBased;
using RedisStreams.Rebus;
using RedisStreams.Rebus.Internals;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace Rebus.Config;

/// <summary>Configures Rebus to use Redis Streams as its transport, subscription storage and deferral mechanism.</summary>
public static class RedisStreamsConfigurationExtensions
{
    const string SubscriptionStorageText = "The Redis Streams transport was inserted as the subscription storage because it has native support for pub/sub messaging";
    const string InspectorText = "The Redis Streams transport inspects its input queue natively";

    /// <summary>Receives from <paramref name="inputQueueName"/> and sends, publishes and defers through Redis Streams.</summary>
    /// <param name="configurer">The transport configurer.</param>
    /// <param name="connection">
    /// <c>redis://[[user]:[password]@]host[:port][/db]</c>, <c>rediss://…</c> for TLS, or a StackExchange.Redis
    /// configuration string such as <c>localhost:6379</c>. The transport opens the connection and closes it with the bus.
    /// </param>
    /// <param name="inputQueueName">The queue this bus receives from.</param>
    /// <returns>Options for further configuration.</returns>
    public static RedisStreamsTransportOptions UseRedisStreams(this StandardConfigurer<ITransport> configurer, string connection, string inputQueueName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        _ = RedisStreamsClient.ParseConnection(connection);
        RedisStreamsClient.ValidateQueueName(inputQueueName);
        return Configure(configurer, (options, logs) => Connect(connection, options, logs), inputQueueName);
    }

    /// <summary>
    /// Configures the transport from settings bound from configuration: a bus receiving from
    /// <see cref="RedisStreamsTransportSettings.InputQueueName"/>, or a one-way client when it is not set.
    /// </summary>
    /// <param name="configurer">The transport configurer.</param>
    /// <param name="settings">The settings; <see cref="RedisStreamsTransportSettings.ConnectionString"/> is required.</param>
    /// <returns>Options for further configuration.</returns>
    public static RedisStreamsTransportOptions UseRedisStreams(this StandardConfigurer<ITransport> configurer, RedisStreamsTransportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new ArgumentException("RedisStreamsTransportSettings.ConnectionString is not set. Give it as e.g. \"redis://localhost:6379\".", nameof(settings));
        }

        var options = settings.InputQueueName is null
            ? UseRedisStreamsAsOneWayClient(configurer, settings.ConnectionString)
            : UseRedisStreams(configurer, settings.ConnectionString, settings.InputQueueName);
        return options.Apply(settings);
    }

    /// <summary>Receives from <paramref name="inputQueueName"/> over a Redis connection the application owns.</summary>
    /// <param name="configurer">The transport configurer.</param>
    /// <param name="connection">An open connection; the bus uses it and never disposes it.</param>
    /// <param name="inputQueueName">The queue this bus receives from.</param>
    /// <returns>Options for further configuration.</returns>
    public static RedisStreamsTransportOptions UseRedisStreams(this StandardConfigurer<ITransport> configurer, IConnectionMultiplexer connection, string inputQueueName)
    {
        ArgumentNullException.ThrowIfNull(connection);
        RedisStreamsClient.ValidateQueueName(inputQueueName);
        return Configure(configurer, (options, logs) => Borrow(connection, options, logs), inputQueueName);
    }

    /// <summary>Sends, publishes and defers through Redis Streams without an input queue.</summary>
    /// <param name="configurer">The transport configurer.</param>
    /// <param name="connection">A <c>redis://</c> or <c>rediss://</c> URI, or a StackExchange.Redis configuration string.</param>
    /// <returns>Options for further configuration.</returns>
    public static RedisStreamsTransportOptions UseRedisStreamsAsOneWayClient(this StandardConfigurer<ITransport> configurer, string connection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        _ = RedisStreamsClient.ParseConnection(connection);
        return Configure(configurer, (options, logs) => Connect(connection, options, logs), inputQueueName: null);
    }

    /// <summary>Sends, publishes and defers without an input queue, over a Redis connection the application owns.</summary>
    /// <param name="configurer">The transport configurer.</param>
    /// <param name="connection">An open connection; the bus uses it and never disposes it.</param>
    /// <returns>Options for further configuration.</returns>
    public static RedisStreamsTransportOptions UseRedisStreamsAsOneWayClient(this StandardConfigurer<ITransport> configurer, IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Configure(configurer, (options, logs) => Borrow(connection, options, logs), inputQueueName: null);
    }

    static RedisStreamsTransportOptions Configure(
        StandardConfigurer<ITransport> configurer,
        Func<RedisStreamsTransportOptions, ILoggerFactory, RedisStreamsClient> createClient,
        string? inputQueueName)
    {
        ArgumentNullException.ThrowIfNull(configurer);
        var options = new RedisStreamsTransportOptions();

        // The options are read here, at Start(), so every fluent call made before it counts.
        configurer.OtherService<RedisStreamsTransport>().Register(c =>
        {
            var transport = new RedisStreamsTransport(
                // The engine logs (connection failures, reclaims, dead-lettering) through Rebus's logging unless told otherwise.
                createClient(options, options.EngineLoggerFactory ?? new RebusEngineLoggerFactory(c.Get<IRebusLoggerFactory>())),
                ownsClient: true,
                inputQueueName,
                c.Get<IRebusLoggerFactory>(),
                c.Get<IRebusTime>(),
                options.MaxReceiveWait)
            {
                RedisRequiredAtStartupWithin = options.RedisRequiredAtStartupWithin,
            };

            // The user's SetWorkerShutdownTimeout bounds the whole shutdown, the transport's wait for handlers included.
            var workerShutdownTimeout = c.Get<Options>().WorkerShutdownTimeout;
            c.Get<BusLifetimeEvents>().BusDisposing += () => transport.ShutdownStarted(workerShutdownTimeout);
            return transport;
        });
        configurer.OtherService<ISubscriptionStorage>().Register(
            c => new RedisStreamsSubscriptionStorage(c.Get<RedisStreamsTransport>().Client.Subscriptions),
            description: SubscriptionStorageText);
        configurer.OtherService<ITransportInspector>().Register(c => c.Get<RedisStreamsTransport>(), description: InspectorText);
        NativeDeferral.Register(configurer, isOneWayClient: inputQueueName is null);

        // Receive waits for the doorbell, so Rebus need not sleep for 100 ms while its parallel slots are busy (that
        // sleep alone held a backlog to about 50 messages per second), and an idle back-off ends when a message arrives.
        configurer.OtherService<IBackoffStrategy>().Decorate(c => new DoorbellBackoffStrategy(c.Get<IBackoffStrategy>(), c.Get<RedisStreamsTransport>()));

        // Whatever the error-handler mode, the copy for the error queue is written before the poison message is acknowledged.
        configurer.OtherService<IErrorHandler>().Decorate(c => new ErrorCopiesSentAtOnce(c.Get<IErrorHandler>()));

        // Handlers run inside the engine's receive span, so they join the sender's trace.
        configurer.OtherService<IPipeline>().Decorate(c => new PipelineStepConcatenator(c.Get<IPipeline>()).OnReceive(new DeliveryActivityStep(), PipelineAbsolutePosition.Front));
        configurer.Register(c => c.Get<RedisStreamsTransport>());
        if (inputQueueName is null)
        {
            OneWayClientBackdoor.ConfigureOneWayClient(configurer);
        }

        return options;
    }

    static RedisStreamsClient Connect(string connection, RedisStreamsTransportOptions options, ILoggerFactory logs) =>
        // Rebus resolves its services synchronously; connect off any synchronization context.
        Task.Run(() => RedisStreamsClient.ConnectAsync(connection, options.ToEngineOptions(), logs)).GetAwaiter().GetResult();

    static RedisStreamsClient Borrow(IConnectionMultiplexer connection, RedisStreamsTransportOptions options, ILoggerFactory logs) =>
        new(connection, options.ToEngineOptions(), logs);
}
