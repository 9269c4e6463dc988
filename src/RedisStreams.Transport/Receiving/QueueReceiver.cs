using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Batching;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Receiving;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>
/// One consumer of a queue's consumer group: each running instance has its own, and instances compete for
/// messages. It keeps up to <see cref="PrefetchCount"/> messages, renews what it holds, takes over messages
/// of consumers that died, moves due delayed messages in, and re-creates its group if it vanishes.
/// </summary>
/// <remarks>
/// Create with <see cref="RedisStreamsClient.CreateReceiver"/>, <see cref="StartAsync"/>, then call
/// <see cref="ReceiveAsync"/> from any number of tasks and settle each message once. <see cref="StopAsync"/>
/// gives back what was never handed out, waits for what was, and removes the consumer from its group.
/// </remarks>
public sealed partial class QueueReceiver : IAsyncDisposable
{
    /// <summary>The group member that owns messages given back to the queue until a receiver takes them.</summary>
    internal const string ReturnedConsumer = "~returned";

    readonly RedisStreamsClient _client;
    readonly RedisStreamsOptions _options;
    readonly QueueKeys _keys;
    readonly ILogger _logger;
    readonly Channel<InboundMessage> _buffer = Channel.CreateUnbounded<InboundMessage>(new UnboundedChannelOptions { SingleWriter = false });
    readonly ConcurrentDictionary<string, InboundMessage> _held = new(StringComparer.Ordinal);

    // Settled by an ack whose reply has not come yet: no longer taking a prefetch slot, still renewed, so no
    // consumer (this one included) can reclaim and redeliver it before Redis has removed it.
    readonly ConcurrentDictionary<string, byte> _acking = new(StringComparer.Ordinal);
    readonly AsyncSignal _wake = new();
    readonly AsyncSignal _delayedWake = new();
    readonly AsyncSignal _claimWake = new();
    readonly ConcurrentDictionary<string, byte> _suspectsHeld = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stopFetching = new();
    readonly CancellationTokenSource _stopRenewing = new();
    readonly RedisValue _deleteOnAck;
    readonly Action<RedisChannel, RedisValue> _onDoorbell;
    readonly EventHandler<ConnectionFailedEventArgs> _onReconnected;
    readonly List<Task> _fetchingTasks = [];
    readonly GroupCommit<string, bool> _acks;
    readonly OversizedEntries _oversized;
    readonly int _refillThreshold;
    Task? _renewTask;
    int _state; // 0 new, 1 started, 2 stopped

    internal QueueReceiver(RedisStreamsClient client, string queue, string? group, int? prefetchCount)
    {
        _client = client;
        _options = client.Options;
        _keys = client.KeysFor(queue);
        Group = group ?? queue;
        EntityName.Validate(Group, "consumer group");
        PrefetchCount = prefetchCount ?? _options.PrefetchCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(PrefetchCount, 1, nameof(prefetchCount));
        ConsumerName = $"{_options.ConsumerNamePrefix}-{Guid.NewGuid().ToString("N")[..8]}";
        _logger = client.LoggerFactory.CreateLogger<QueueReceiver>();
        _deleteOnAck = _options.Retention is null ? "1" : "0";
        _acks = new GroupCommit<string, bool>(AckBatchAsync, maxBatch: 256);
        _oversized = new OversizedEntries(client.Database, _keys, client.Writes, _logger);

        // Refill in batches of a quarter of the prefetch, not one slot at a time, unless handlers starve.
        _refillThreshold = Math.Max(1, PrefetchCount / 4);
        _onDoorbell = (_, what) =>
        {
            _wake.Set();
            if (what == "d")
            {
                _delayedWake.Set();
            }
        };
        // Doorbells published while the connection was down are lost: look at the queue at once.
        _onReconnected = (_, _) =>
        {
            _wake.Set();
            _delayedWake.Set();
        };
        Health = new ReceiverHealth(false, "not started", DateTimeOffset.UtcNow);
    }

    /// <summary>The queue this receiver consumes.</summary>
    public string Queue => _keys.Queue;

    /// <summary>The consumer group (the endpoint) it belongs to.</summary>
    public string Group { get; }

    /// <summary>This receiver's unique consumer name within the group.</summary>
    public string ConsumerName { get; }

    /// <summary>The most messages it holds at once, handed out or buffered.</summary>
    public int PrefetchCount { get; }

    /// <summary>Messages currently held: buffered or handed out and not yet settled.</summary>
    public int HeldCount => _held.Count;

    /// <summary>Whether the receive loop currently reaches Redis.</summary>
    public ReceiverHealth Health { get; private set; }

    IDatabase Database => _client.Database;

    /// <summary>Creates the queue and group if needed, subscribes to wake-ups and starts the loops.</summary>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // Refuses to start on a server that would evict the queue (unless allowed, then only a warning); checked
        // first, so a receiver refused here can be started once the server is fixed.
        await _client.EvictionPolicy.EnsureAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"The receiver for queue '{Queue}' was already started.");
        }

        _client.Multiplexer.ConnectionRestored += _onReconnected;
        _client.Multiplexer.ConnectionFailed += OnConnectionFailed;
        _client.Multiplexer.ConnectionRestored += OnConnectionRestored;
        await _client.Multiplexer.GetSubscriber().SubscribeAsync(_keys.Doorbell, _onDoorbell).WaitAsync(cancellationToken).ConfigureAwait(false);
        await _client.ProvisionQueueAsync(Queue, Group).WaitAsync(cancellationToken).ConfigureAwait(false);
        Health = new ReceiverHealth(true, null, DateTimeOffset.UtcNow);
        _client.OnReceiverStarted(this);
        var stop = _stopFetching.Token;
        _fetchingTasks.Add(Task.Run(() => PumpAsync(stop), CancellationToken.None));
        _fetchingTasks.Add(Task.Run(() => ClaimLoopAsync(stop), CancellationToken.None));
        _fetchingTasks.Add(Task.Run(() => DelayedLoopAsync(stop), CancellationToken.None));
        _fetchingTasks.Add(Task.Run(() => SweepLoopAsync(stop), CancellationToken.None));
        if (_options.Retention is not null)
        {
            _fetchingTasks.Add(Task.Run(() => TrimLoopAsync(stop), CancellationToken.None));
        }

        _renewTask = Task.Run(() => RenewLoopAsync(_stopRenewing.Token), CancellationToken.None);
        _logger.ReceiverStarted(Queue, Group, ConsumerName, PrefetchCount);
    }

    /// <summary>
    /// Takes the next message, waiting up to <paramref name="maxWait"/> for one to arrive.
    /// </summary>
    /// <param name="maxWait">How long to wait; <see cref="TimeSpan.Zero"/> to only take what is buffered, <see cref="Timeout.InfiniteTimeSpan"/> to wait until one arrives or the receiver stops.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message, or <c>null</c> when none arrived in time or the receiver stopped.</returns>
    public async ValueTask<InboundMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (TryTake(out var message))
        {
            return message;
        }

        if (maxWait == TimeSpan.Zero || Volatile.Read(ref _state) != 1)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (maxWait != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(maxWait);
        }

        try
        {
            while (await _buffer.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
            {
                if (TryTake(out message))
                {
                    return message;
                }
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until a message is ready to be received, without taking it: for callers that back off between
    /// receives and want to end the back-off as soon as there is work.
    /// </summary>
    /// <param name="maxWait">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> to wait until one arrives or the receiver stops.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>
    /// <c>true</c> when a message is ready (a concurrent <see cref="ReceiveAsync"/> may still take it first);
    /// <c>false</c> when none arrived in time or the receiver is not running.
    /// </returns>
    public async ValueTask<bool> WaitForMessageAsync(TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (_buffer.Reader.Count > 0)
        {
            return true;
        }

        if (maxWait == TimeSpan.Zero || Volatile.Read(ref _state) != 1)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (maxWait != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(maxWait);
        }

        try
        {
            // False once the buffer is completed: the receiver stopped.
            return await _buffer.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    bool TryTake(out InboundMessage message)
    {
        while (_buffer.Reader.TryRead(out message!))
        {
            // A buffered message another consumer took over (renewal failed too long) is theirs now.
            if (_held.ContainsKey(message.EntryId))
            {
                message.Attach(MessageTracing.StartReceive(message, Group));
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops receiving: gives back buffered messages, waits for handed-out ones to be settled, leaves the group.</summary>
    /// <param name="cancellationToken">Stops waiting for handed-out messages; those still held are given back.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stopFetching.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_fetchingTasks).ConfigureAwait(false);
        _buffer.Writer.TryComplete();

        // Never handed to a handler: their delivery is undone, so restarts cannot push a message towards
        // the dead-letter stream without it ever being processed.
        var released = 0;
        var unhanded = new List<(string, int)>();
        while (_buffer.Reader.TryRead(out var buffered))
        {
            if (_held.ContainsKey(buffered.EntryId))
            {
                unhanded.Add((buffered.EntryId, buffered.DeliveryCount - 1));
            }
        }

        released += await ReleaseQuietlyAsync(unhanded).ConfigureAwait(false);

        // Handed-out messages stay renewed until their handlers settle them, and acks sent in the background
        // land before the consumer leaves its group.
        try
        {
            while (!_held.IsEmpty || !_acking.IsEmpty)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        released += await ReleaseQuietlyAsync([.. _held.Keys.Select(id => (id, KeepCount))]).ConfigureAwait(false);
        await _stopRenewing.CancelAsync().ConfigureAwait(false);
        if (_renewTask is not null)
        {
            await _renewTask.ConfigureAwait(false);
        }

        await LeaveGroupAsync().ConfigureAwait(false);
        _client.OnReceiverStopped(this);
        _client.Multiplexer.ConnectionRestored -= _onReconnected;
        _client.Multiplexer.ConnectionFailed -= OnConnectionFailed;
        _client.Multiplexer.ConnectionRestored -= OnConnectionRestored;
        await _client.Multiplexer.GetSubscriber().UnsubscribeAsync(_keys.Doorbell, _onDoorbell).ConfigureAwait(false);
        Health = new ReceiverHealth(false, "stopped", DateTimeOffset.UtcNow);
        _logger.ReceiverStopped(Queue, ConsumerName, released);
    }

    async Task<int> ReleaseQuietlyAsync(IReadOnlyCollection<(string EntryId, int RestoreCount)> entries)
    {
        if (entries.Count == 0)
        {
            return 0;
        }

        try
        {
            var released = await ReleaseAsync(entries).ConfigureAwait(false);
            foreach (var (id, _) in entries)
            {
                Forget(id);
            }

            return released;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // They stay pending under our name and are reclaimed after ClaimIdleTime.
            _logger.MaintenanceFailed(e, "give back on stop", Queue);
            return 0;
        }
    }

    async Task LeaveGroupAsync()
    {
        try
        {
            var mine = await Database.StreamPendingMessagesAsync(_keys.Stream, Group, 1, ConsumerName).ConfigureAwait(false);
            if (mine.Length == 0)
            {
                await Database.StreamDeleteConsumerAsync(_keys.Stream, Group, ConsumerName).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The sweep of another instance removes us once we hold nothing.
            _logger.MaintenanceFailed(e, "leave group", Queue);
        }
    }

    /// <summary>Stops the receiver (see <see cref="StopAsync"/>) without waiting for handed-out messages.</summary>
    public async ValueTask DisposeAsync()
    {
        using var immediately = new CancellationTokenSource();
        await immediately.CancelAsync().ConfigureAwait(false);
        await StopAsync(immediately.Token).ConfigureAwait(false);
        _stopFetching.Dispose();
        _stopRenewing.Dispose();
        _wake.Dispose();
        _delayedWake.Dispose();
        _claimWake.Dispose();
    }
}
