using System.Globalization;
using Rebus.Messages;
using Rebus.Transport;
using RedisStreams.Transport;

namespace RedisStreams.Rebus;

public sealed partial class RedisStreamsTransport
{
    /// <summary>
    /// Takes the next message of the input queue, waiting briefly when it is empty. The message stays with this
    /// instance until the transaction settles it: ack deletes it; nack, or disposal without ack or nack, gives
    /// it back to the queue at once with its delivery count one higher; rollback alone does nothing.
    /// </summary>
    /// <param name="context">The receiving transaction.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message, or <c>null</c> when none arrived in time.</returns>
    /// <exception cref="InvalidOperationException">The transport is a one-way client.</exception>
    public override async Task<TransportMessage?> Receive(ITransactionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Address is null)
        {
            throw new InvalidOperationException("This Redis Streams transport is a one-way client: it has no input queue to receive from. Configure it with UseRedisStreams(connection, \"queue\") to receive.");
        }

        var receiver = await EnsureReceiverAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var inbound = await receiver.ReceiveAsync(_receiveWait, cancellationToken).ConfigureAwait(false);
            if (inbound is null)
            {
                return null;
            }

            if (IsExpired(inbound))
            {
                // It was fetched before it expired and waited in the prefetch buffer; it must never be handled.
                await receiver.AckAsync(inbound).ConfigureAwait(false);
                continue;
            }

            SettleWith(context, receiver, inbound);
            if (inbound.Activity is not null)
            {
                context.Items[Internals.DeliveryActivityStep.InboundMessageKey] = inbound;
            }

            return ToTransportMessage(inbound);
        }
    }

    /// <summary>
    /// Completes as soon as a message is ready to be received; never otherwise, until <paramref name="cancellationToken"/>
    /// ends it. A worker backing off races it against its back-off.
    /// </summary>
    internal async Task WaitForIncomingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var receiver = await EnsureReceiverAsync(cancellationToken).ConfigureAwait(false);
            if (await receiver.WaitForMessageAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
#pragma warning disable CA1031 // Receive reports these itself; here they only mean there is nothing to wake on.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
        }

        // Stopped, disposed or unreachable: nothing will arrive, and the back-off alone ends the wait.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }

    void SettleWith(ITransactionContext context, QueueReceiver receiver, InboundMessage inbound)
    {
        // Exactly one settlement per message: the first of ack, nack or disposal wins.
        var settled = 0;
        // The ack does not wait for Redis's reply, as with Rebus's RabbitMQ transport: Rebus frees the
        // parallelism slot at once, and a lost ack only means the message comes again (at least once).
        context.OnAck(_ =>
        {
            if (Interlocked.Exchange(ref settled, 1) == 0)
            {
                receiver.AckInBackground(inbound);
            }

            return Task.CompletedTask;
        });
        context.OnNack(async _ =>
        {
            if (Interlocked.Exchange(ref settled, 1) == 0)
            {
                await receiver.ReturnAsync(inbound).ConfigureAwait(false);
            }
        });
        context.OnDisposed(_ =>
        {
            // Rebus frees the transaction's parallel slot right after disposing it.
            _transactionEnded.Set();

            // A scope disposed without a result runs neither ack nor nack; without this the message would sit
            // with us until reclaimed.
            if (Interlocked.Exchange(ref settled, 1) == 0)
            {
                try
                {
                    receiver.ReturnAsync(inbound).GetAwaiter().GetResult();
                }
#pragma warning disable CA1031 // A failed give-back is not lost: the entry is reclaimed after ClaimIdleTime.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    _log.Warn(exception, "Could not give message {entryId} back to queue {queueName}; it is redelivered after the claim idle time", inbound.EntryId, inbound.Queue);
                }
            }
        });
    }

    bool IsExpired(InboundMessage inbound)
    {
        if (!inbound.Headers.TryGetValue(Headers.TimeToBeReceived, out var text) ||
            !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeToBeReceived))
        {
            return false;
        }

        // The entry id carries the time Redis added it, so the age is independent of the sender's clock.
        return _rebusTime.Now - inbound.EnqueuedAt > timeToBeReceived;
    }

    static TransportMessage ToTransportMessage(InboundMessage inbound)
    {
        var headers = new Dictionary<string, string>(inbound.Headers, StringComparer.Ordinal)
        {
            // Redis's own counter replaces whatever a sender or an earlier hop wrote.
            [Headers.DeliveryCount] = inbound.DeliveryCount.ToString(CultureInfo.InvariantCulture),
        };
        return new TransportMessage(headers, inbound.GetBodyArray());
    }

    ValueTask<QueueReceiver> EnsureReceiverAsync(CancellationToken cancellationToken)
    {
        Task<QueueReceiver> receiver;
        lock (_receiverLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_receiver is null || _receiver.IsFaulted || _receiver.IsCanceled)
            {
                _receiver = StartReceiverAsync();
            }

            receiver = _receiver;
        }

        return receiver.IsCompletedSuccessfully ? new(receiver.Result) : new(receiver.WaitAsync(cancellationToken));
    }

    async Task<QueueReceiver> StartReceiverAsync()
    {
        var receiver = _client.CreateReceiver(Address!);
        await receiver.StartAsync().ConfigureAwait(false);
        _log.Info("Receiving from Redis stream queue {queueName} as consumer {consumerName}", Address!, receiver.ConsumerName);
        return receiver;
    }

    async Task StopReceiverAsync()
    {
        Task<QueueReceiver>? started;
        lock (_receiverLock)
        {
            started = _receiver;
            _receiver = null;
        }

        if (started is null)
        {
            return;
        }

        try
        {
            var receiver = await started.ConfigureAwait(false);

            // Rebus stopped its workers before disposing us; this only covers handlers that outlived them, and only
            // for what is left of the bus's worker shutdown timeout: then their messages are given back.
            using var grace = new CancellationTokenSource(_shutdown.RemainingGrace());
            await receiver.StopAsync(grace.Token).ConfigureAwait(false);
            await receiver.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposal must not throw; anything still held is reclaimed by another instance.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _log.Warn(exception, "Stopping the receiver of queue {queueName} failed; messages it held are redelivered after the claim idle time", Address ?? "(none)");
        }
    }
}
