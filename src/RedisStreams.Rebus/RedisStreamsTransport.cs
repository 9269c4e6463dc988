using Rebus.Bus;
using Rebus.Logging;
using Rebus.Time;
using Rebus.Transport;
using RedisStreams.Rebus.Internals;
using RedisStreams.Transport;

namespace RedisStreams.Rebus;

/// <summary>
/// Rebus transport on Redis Streams: each queue is a stream with one consumer group, each bus instance one
/// consumer. Outgoing messages are written at commit; a received message is acknowledged (deleted) on ack and
/// given back at once on nack or when its transaction ends without either.
/// </summary>
public sealed partial class RedisStreamsTransport : AbstractRebusTransport, IInitializable, IDisposable
{
    /// <summary>
    /// The timeout manager address Rebus sends deferred messages to when no external timeout manager is configured.
    /// The transport turns them into native delayed deliveries to their <c>rbs2-defer-recipient</c>.
    /// </summary>
    public const string MagicDeferredMessagesAddress = "___redis-streams-deferred___";

    readonly RedisStreamsClient _client;
    readonly bool _ownsClient;
    readonly TimeSpan _receiveWait;
    readonly IRebusTime _rebusTime;
    readonly ILog _log;
    readonly OutgoingMessageMapper _outgoing;
    readonly ShutdownBound _shutdown = new();
    readonly Lock _receiverLock = new();
    Task<QueueReceiver>? _receiver;
    bool _disposed;

    /// <summary>Creates a transport on a client the caller owns and disposes.</summary>
    /// <param name="client">The engine client; disposing the transport leaves it open.</param>
    /// <param name="inputQueueName">The input queue; <c>null</c> for a one-way client.</param>
    /// <param name="rebusLoggerFactory">Rebus's logger factory.</param>
    /// <param name="rebusTime">Rebus's clock, for deferral due times and message expiry.</param>
    /// <param name="receiveWait">The longest <see cref="Receive"/> waits on an empty queue; <c>null</c> for one second.</param>
    public RedisStreamsTransport(
        RedisStreamsClient client,
        string? inputQueueName,
        IRebusLoggerFactory rebusLoggerFactory,
        IRebusTime rebusTime,
        TimeSpan? receiveWait = null)
        : this(client, ownsClient: false, inputQueueName, rebusLoggerFactory, rebusTime, receiveWait ?? TimeSpan.FromSeconds(1))
    {
    }

    internal RedisStreamsTransport(
        RedisStreamsClient client,
        bool ownsClient,
        string? inputQueueName,
        IRebusLoggerFactory rebusLoggerFactory,
        IRebusTime rebusTime,
        TimeSpan receiveWait)
        : base(inputQueueName)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(rebusLoggerFactory);
        ArgumentNullException.ThrowIfNull(rebusTime);
        if (inputQueueName is not null)
        {
            RedisStreamsClient.ValidateQueueName(inputQueueName);
        }

        _client = client;
        _ownsClient = ownsClient;
        _rebusTime = rebusTime;
        _receiveWait = receiveWait;
        _log = rebusLoggerFactory.GetLogger<RedisStreamsTransport>();
        _outgoing = new OutgoingMessageMapper(rebusTime);
        Health.RunningTransports.Add(this);
    }

    /// <summary>The engine client this transport works on.</summary>
    public RedisStreamsClient Client => _client;

    /// <summary>Creates a queue's stream and consumer group; entries sent before it existed are kept and delivered.</summary>
    /// <param name="address">The queue.</param>
    public override void CreateQueue(string address)
    {
        RedisStreamsClient.ValidateQueueName(address);
        _client.ProvisionQueueAsync(address).GetAwaiter().GetResult();
    }

    /// <summary>Creates the input queue and starts receiving from it; a one-way client does nothing.</summary>
    public void Initialize()
    {
        if (Address is null)
        {
            return;
        }

        CreateQueue(Address);
        EnsureReceiverAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Tells the transport that the bus began shutting down and how long it may take (Rebus's worker shutdown
    /// timeout): disposing then waits for unfinished handlers only for what is left of it.
    /// </summary>
    /// <param name="workerShutdownTimeout">The bus's <c>WorkerShutdownTimeout</c>.</param>
    internal void ShutdownStarted(TimeSpan workerShutdownTimeout) => _shutdown.Start(workerShutdownTimeout);

    /// <summary>
    /// Stops receiving: buffered messages go back to the queue at once; messages still being handled are given back
    /// when what is left of the bus's worker shutdown timeout has passed (five seconds when the transport is used
    /// without a bus). Closes the connection when the transport opened it.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Health.RunningTransports.Remove(this);
        StopReceiverAsync().GetAwaiter().GetResult();
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }
}
