using System.Diagnostics;
using MassTransit;
using MassTransit.Transports;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// Takes messages from the endpoint's queue through one engine receiver (one consumer of the queue's group)
/// and dispatches them, never more at once than the concurrent message limit.
/// </summary>
internal sealed class RedisStreamsMessageReceiver : ConsumerAgent<string>
{
    static readonly TimeSpan UnhealthyGrace = ConnectionHealth.Grace;
    static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    readonly IClientContext _clientContext;
    readonly RedisStreamsReceiveEndpointContext _context;
    readonly RedisStreamsClient _engine;
    readonly QueueReceiver _receiver;
    readonly int _concurrencyLimit;

    public RedisStreamsMessageReceiver(IClientContext clientContext, RedisStreamsReceiveEndpointContext context)
        : base(context, StringComparer.Ordinal)
    {
        _clientContext = clientContext;
        _context = context;
        var settings = context.Settings;
        _engine = new RedisStreamsClient(clientContext.Client.Multiplexer, settings.EngineOptions(clientContext.Client.Options), clientContext.Client.LoggerFactory);
        var prefetch = Math.Max(context.PrefetchCount, context.ConcurrentMessageLimit ?? 1);
        _receiver = _engine.CreateReceiver(settings.QueueName, settings.QueueName, Math.Clamp(prefetch, 1, 10_000));
        _concurrencyLimit = Math.Max(1, context.ConcurrentMessageLimit ?? prefetch);
        TrySetConsumeTask(Task.Run(ConsumeAsync));
    }

    /// <summary>
    /// Set when the receiver gave up because it lost Redis: the transport then faults (the endpoint reports
    /// Unhealthy and restarts with back-off) instead of completing (which MassTransit reports as Degraded).
    /// </summary>
    public ConnectionException? ConnectionFault { get; private set; }

    async Task ConsumeAsync()
    {
        try
        {
            await _receiver.StartAsync(Stopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var failure = new ConnectionException($"Starting to receive from {_context.InputAddress} failed: {e.Message}", e);
            SetNotReady(failure);
            throw failure;
        }

        SetReady();
        using var unhealthy = new CancellationTokenSource();
        using var loop = CancellationTokenSource.CreateLinkedTokenSource(Stopping, unhealthy.Token);
        var watcher = Task.Run(() => WatchHealthAsync(unhealthy, loop.Token), CancellationToken.None);
        var keepAlive = _context.Settings.AutoDelete ? Task.Run(() => KeepAliveAsync(loop.Token), CancellationToken.None) : Task.CompletedTask;
        using var slots = new SemaphoreSlim(_concurrencyLimit, _concurrencyLimit);
        try
        {
            while (!loop.IsCancellationRequested)
            {
                await slots.WaitAsync(loop.Token).ConfigureAwait(false);
                InboundMessage? message;
                try
                {
                    message = await _receiver.ReceiveAsync(Timeout.InfiniteTimeSpan, loop.Token).ConfigureAwait(false);
                }
                catch
                {
                    slots.Release();
                    throw;
                }

                if (message is null)
                {
                    slots.Release();
                    break;
                }

                _ = HandleAsync(message, slots);
            }
        }
        catch (OperationCanceledException) when (loop.IsCancellationRequested)
        {
        }

        await watcher.ConfigureAwait(false);
        await keepAlive.ConfigureAwait(false);
        if (unhealthy.IsCancellationRequested && !IsStopping)
        {
            // Let handlers finish, give back what is buffered, and let the transport restart us once Redis answers.
            for (var i = 0; i < _concurrencyLimit; i++)
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await StopReceiverAsync(TimeSpan.Zero).ConfigureAwait(false);
            throw ConnectionFault!;
        }
    }

    async Task WatchHealthAsync(CancellationTokenSource unhealthy, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop).ConfigureAwait(false);
                var health = _receiver.Health;
                if (!health.IsHealthy && DateTimeOffset.UtcNow - health.Since > UnhealthyGrace)
                {
                    LogContext.Warning?.Log("Receive endpoint {InputAddress} is unhealthy: {Reason}", _context.InputAddress, health.Description);
                    ConnectionFault = new ConnectionException($"Receiving from {_context.InputAddress} lost its Redis connection: {health.Description}", true);

                    // Reported now, before handlers finish and buffered messages are given back (which waits for
                    // Redis's timeouts while it is down): the endpoint, and so the bus, turns Unhealthy at once.
                    await _context.TransportObservers.NotifyFaulted(_context.InputAddress, ConnectionFault).ConfigureAwait(false);
                    await unhealthy.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Keeps an auto-delete queue's keys alive while this instance runs; they expire if it dies.</summary>
    async Task KeepAliveAsync(CancellationToken stop)
    {
        var idle = _context.Settings.AutoDeleteIdleTime;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _engine.ExpireQueueAsync(_context.Settings.QueueName, idle).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogContext.Debug?.Log(e, "Refreshing the expiry of {Queue} failed", _context.Settings.QueueName);
            }

            try
            {
                await Task.Delay(idle / 3, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task HandleAsync(InboundMessage message, SemaphoreSlim slots)
    {
        try
        {
            if (IsStopping)
            {
                await _receiver.ReturnAsync(message).ConfigureAwait(false);
                return;
            }

            // The engine's receive span (a child of the sender's trace) is current while MassTransit handles the
            // message, so its spans and the consumer's join that trace.
            if (message.Activity is { } delivery)
            {
                Activity.Current = delivery;
            }

            var lockContext = new RedisStreamsReceiveLockContext(_receiver, _engine, message, _context.InputAddress);
            var context = new RedisStreamsReceiveContext(message, _context, _clientContext, lockContext);
            try
            {
                await Dispatch(message.EntryId, context, lockContext).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogContext.Warning?.Log(exception, "Dispatch faulted: {InputAddress} {EntryId}", _context.InputAddress, message.EntryId);
                await lockContext.Faulted(exception).ConfigureAwait(false);
            }
            finally
            {
                context.Dispose();
            }
        }
        catch (Exception exception)
        {
            LogContext.Error?.Log(exception, "Handling a message faulted: {InputAddress} {EntryId}", _context.InputAddress, message.EntryId);
        }
        finally
        {
            slots.Release();
        }
    }

    protected override async Task ActiveAndActualAgentsCompleted(StopContext context)
    {
        await base.ActiveAndActualAgentsCompleted(context).ConfigureAwait(false);
        await StopReceiverAsync(StopBound).ConfigureAwait(false);
        if (_context.Settings.AutoDelete)
        {
            await DeleteQueueAsync().ConfigureAwait(false);
        }

        // Borrows the bus's connection: this only lets go of its event handlers and gauges.
        await _engine.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the engine receiver: gives back what was never handed out and leaves the group. Bounded, because
    /// while Redis is unreachable nothing can be given back anyway: what is still pending is reclaimed by a
    /// live instance after the claim idle time.
    /// </summary>
    async Task StopReceiverAsync(TimeSpan bound)
    {
        try
        {
            using var waitForHandlers = new CancellationTokenSource(bound);
            await _receiver.StopAsync(waitForHandlers.Token).WaitAsync(bound + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogContext.Warning?.Log(e, "Stopping the receiver of {InputAddress} did not complete cleanly", _context.InputAddress);
        }
    }

    async Task DeleteQueueAsync()
    {
        var settings = _context.Settings;
        try
        {
            foreach (var topic in settings.Topics)
            {
                await _engine.Subscriptions.UnsubscribeAsync(topic, settings.QueueName).ConfigureAwait(false);
            }

            await _engine.DeleteQueueAsync(settings.QueueName).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogContext.Warning?.Log(e, "Deleting the temporary queue {Queue} failed", settings.QueueName);
        }
    }
}
