using RedisStreams.Transport;
using StackExchange.Redis;

namespace MassTransit;

/// <summary>Settings shared by the bus and its receive endpoints; a value set on the bus is every endpoint's default.</summary>
public interface IRedisStreamsQueueEndpointConfigurator
{
    /// <summary>
    /// How long a message may sit with an instance that shows no sign of life before another instance takes it
    /// over. Live instances renew what they hold, so a slow consumer is never delivered twice. At least one second.
    /// </summary>
    TimeSpan ClaimIdleTime { set; }

    /// <summary>
    /// Redis deliveries after which a message that never settles (a crash loop) goes to the queue's dead-letter
    /// stream; 0 turns the limit off. Keep it above the retry limits of the consume pipeline.
    /// </summary>
    int MaxDeliveryCount { set; }

    /// <summary>Remove every message already in the queue when the endpoint starts for the first time.</summary>
    bool PurgeOnStartup { set; }

    /// <summary>
    /// For auto-delete queues (temporary endpoints, the bus endpoint): how long their keys outlive an instance
    /// that died without removing them. Running instances keep them alive. The default value is 5 minutes.
    /// </summary>
    TimeSpan AutoDeleteOnIdle { set; }
}

/// <summary>Configures a bus on Redis Streams: the host, bus-level endpoint defaults and the receive endpoints.</summary>
public interface IRedisStreamsBusFactoryConfigurator :
    IBusFactoryConfigurator<IRedisStreamsReceiveEndpointConfigurator>,
    IRedisStreamsQueueEndpointConfigurator
{
    /// <summary>
    /// Connects to Redis: <c>redis://[[user]:[password]@]host[:port][/db]</c>, <c>rediss://…</c> for TLS, or a
    /// StackExchange.Redis configuration string such as <c>localhost:6379,password=…</c>.
    /// </summary>
    /// <param name="connection">The connection text.</param>
    void Host(string connection);

    /// <summary>
    /// Connects to Redis with the connection text and the settings of the callback (user, password, TLS, ...), as
    /// RabbitMQ's <c>cfg.Host("host", h =&gt; { h.Username(...); h.Password(...); })</c>.
    /// </summary>
    /// <param name="connection">A host name, <c>host:port</c>, a <c>redis://</c> or <c>rediss://</c> URI, or a StackExchange.Redis configuration string.</param>
    /// <param name="configure">Sets the user, password, TLS and other connection settings; <c>null</c> for none.</param>
    void Host(string connection, Action<IRedisStreamsHostConfigurator>? configure);

    /// <summary>Uses a connection the application owns; the bus never closes it.</summary>
    /// <param name="multiplexer">The connection.</param>
    void Host(IConnectionMultiplexer multiplexer);

    /// <summary>
    /// The prefix of every Redis key this bus uses, so several applications or environments can share one Redis.
    /// The default value is <c>rs</c>. Letters, digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>:</c>.
    /// </summary>
    string KeyPrefix { set; }

    /// <summary>
    /// Adjusts engine settings this configurator does not expose, such as <see cref="RedisStreamsOptions.IdlePollInterval"/>,
    /// <see cref="RedisStreamsOptions.ConsumerExpiry"/> or <see cref="RedisStreamsOptions.Retention"/>. The key prefix and
    /// the endpoint settings above take precedence. Calls add up.
    /// </summary>
    /// <param name="configure">Changes the engine settings.</param>
    void ConfigureEngine(Action<RedisStreamsOptions> configure);

    /// <summary>Names the bus endpoint's queue instead of the generated temporary name.</summary>
    /// <param name="queueName">The queue name.</param>
    void OverrideDefaultBusEndpointQueueName(string queueName);
}

/// <summary>Configures a receive endpoint: one queue stream and its consumer group.</summary>
public interface IRedisStreamsReceiveEndpointConfigurator :
    IReceiveEndpointConfigurator,
    IRedisStreamsQueueEndpointConfigurator
{
    /// <summary>
    /// Removes the queue's stream and subscriptions when the endpoint stops, as for temporary endpoints.
    /// </summary>
    bool AutoDelete { set; }

    /// <summary>Subscribes the queue to a topic by name, in addition to the message types it consumes.</summary>
    /// <param name="topicName">The topic (entity) name.</param>
    void Subscribe(string topicName);

    /// <summary>Subscribes the queue to the topic of a message type even when nothing on the endpoint consumes it.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    void Subscribe<T>()
        where T : class;

    /// <summary>
    /// RabbitMQ's name for <see cref="Subscribe(string)"/>: subscribes the queue to a topic (RabbitMQ: binds it to
    /// an exchange), so a RabbitMQ application's <c>e.Bind("name")</c> keeps compiling and working.
    /// </summary>
    /// <param name="topicName">The topic (exchange) name.</param>
    void Bind(string topicName);

    /// <summary>
    /// RabbitMQ's name for <see cref="Subscribe{T}"/>: subscribes the queue to the topic of a message type (RabbitMQ:
    /// binds it to the message type's exchange).
    /// </summary>
    /// <typeparam name="T">The message type.</typeparam>
    void Bind<T>()
        where T : class;
}
