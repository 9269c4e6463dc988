using Rebus.Bus;
using Rebus.Logging;
using Rebus.Time;
using Rebus.Transport;
using RedisStreams.Rebus.Internals;
using RedisStreams.Transport;
using StackExchange.Redis;

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
    readonly RedisStreams.Transport.Receiving.AsyncSignal _transactionEnded = new();
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

    /// <summary>Set whenever a receiving transaction ends, for a worker that waits for a free parallel slot.</summary>
    internal RedisStreams.Transport.Receiving.AsyncSignal TransactionEnded => _transactionEnded;

    /// <summary>The engine client this transport works on.</summary>
    public RedisStreamsClient Client => _client;

    /// <summary>Creates a queue's stream and consumer group; entries sent before it existed are kept and delivered.</summary>
    /// <param name="address">The queue.</param>
    /// <remarks>
    /// Rebus creates its input and error queues when the bus starts. While Redis is down (and
    /// <c>RequireRedisAtStartup</c> was not asked for) this only logs a warning: the input queue is created by the
    /// first receive that reaches Redis, and a queue that is sent to exists from its first message, whose
    /// entries any consumer group created later still receives.
    /// </remarks>
    public override void CreateQueue(string address)
    {
        RedisStreamsClient.ValidateQueueName(address);
        if (RedisRequiredAtStartupWithin is null && !_client.Multiplexer.IsConnected)
        {
            _log.Warn("Queue {queueName} is not created now because Redis at {endpoints} is not reachable; it is created when first used", address, Endpoints());
            return;
        }

        _client.ProvisionQueueAsync(address).GetAwaiter().GetResult();
    }

    /// <summary>How long <see cref="Initialize"/> waits for Redis before the bus fails to start; <c>null</c> to start without it.</summary>
    internal TimeSpan? RedisRequiredAtStartupWithin { get; init; }

    /// <summary>
    /// Creates the input queue and starts receiving from it. While Redis is down the bus still starts: a warning
    /// says so, and receiving begins when Redis answers (unless <c>RequireRedisAtStartup</c> asked to fail instead).
    /// </summary>
    public void Initialize()
    {
        if (RedisRequiredAtStartupWithin is { } wait)
        {
            WaitForRedisAsync(wait).GetAwaiter().GetResult();
        }
        else if (!_client.Multiplexer.IsConnected)
        {
            _log.Warn("Redis at {endpoints} is not reachable; the bus starts anyway and begins receiving from {queueName} when Redis answers (use RequireRedisAtStartup to fail instead)",
                Endpoints(), Address ?? "(one-way client)");
            return;
        }

        if (Address is null)
        {
            return;
        }

        try
        {
            CreateQueue(Address);
            EnsureReceiverAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception exception) when (RedisRequiredAtStartupWithin is null && exception is RedisConnectionException or RedisTimeoutException)
        {
            // Redis went away between the check and the queue's creation: the first receive will try again.
            _log.Warn(exception, "Could not prepare queue {queueName} while starting; receiving begins when Redis answers", Address);
        }
    }

    async Task WaitForRedisAsync(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (!_client.Multiplexer.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }

        if (!_client.Multiplexer.IsConnected)
        {
            throw new RedisStreamsConnectionException(
                $"Redis at {Endpoints()} did not answer within {wait} while the bus started, and RequireRedisAtStartup asks the bus to fail then. " +
                "Check that Redis runs and can be reached, or drop RequireRedisAtStartup to let the bus start and wait for Redis.");
        }
    }

    string Endpoints() => RedisEndpointText.Describe(_client.Multiplexer.GetEndPoints());

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
