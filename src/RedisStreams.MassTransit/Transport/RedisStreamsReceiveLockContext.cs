using MassTransit;
using MassTransit.Transports;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// Settles one message: ack on success, give back (immediately receivable again, delivery count + 1) on a
/// transport fault. <c>UseDelayedRedelivery</c> re-sends through MassTransit with the transport's native delay,
/// so the redelivery count travels in the message headers as with every MassTransit transport.
/// </summary>
internal sealed class RedisStreamsReceiveLockContext : ReceiveLockContext
{
    readonly QueueReceiver _receiver;
    readonly Uri _inputAddress;
    int _settled;

    public RedisStreamsReceiveLockContext(QueueReceiver receiver, RedisStreamsClient engine, InboundMessage message, Uri inputAddress)
    {
        _receiver = receiver;
        Engine = engine;
        Message = message;
        _inputAddress = inputAddress;
    }

    public RedisStreamsClient Engine { get; }

    public InboundMessage Message { get; }

    /// <summary>
    /// Acks without waiting for Redis's reply, as MassTransit's RabbitMQ transport does: the concurrency slot
    /// frees at once, and a lost ack only means the message comes again (at least once).
    /// </summary>
    public Task Complete()
    {
        if (Settle())
        {
            _receiver.AckInBackground(Message);
        }

        return Task.CompletedTask;
    }

    public async Task Faulted(Exception exception)
    {
        if (!Settle())
        {
            return;
        }

        try
        {
            await _receiver.ReturnAsync(Message).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Still pending under our consumer: another receiver reclaims it after the claim idle time.
            LogContext.Error?.Log(e, "Returning {EntryId} to {InputAddress} failed; it will be reclaimed. Original exception: {Exception}", Message.EntryId, _inputAddress, exception.Message);
        }
    }

    public Task ValidateLockStatus() => Task.CompletedTask;

    bool Settle() => Interlocked.Exchange(ref _settled, 1) == 0;
}
