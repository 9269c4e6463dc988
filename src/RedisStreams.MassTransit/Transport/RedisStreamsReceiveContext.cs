using MassTransit;
using MassTransit.Transports;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>A received stream entry as MassTransit sees it: transport headers from the entry's fields, the body as sent.</summary>
internal sealed class RedisStreamsReceiveContext : BaseReceiveContext
{
    public RedisStreamsReceiveContext(InboundMessage message, RedisStreamsReceiveEndpointContext context, params object[] payloads)
        : base(message.DeliveryCount > 1, context, payloads)
    {
        Message = message;
        Body = new BytesMessageBody(message.Body.ToArray());
        HeaderProvider = new DictionaryHeaderProvider(message.Headers);
    }

    public InboundMessage Message { get; }

    public override MessageBody Body { get; }

    protected override IHeaderProvider HeaderProvider { get; }

    sealed class DictionaryHeaderProvider : IHeaderProvider
    {
        readonly IReadOnlyDictionary<string, string> _headers;

        public DictionaryHeaderProvider(IReadOnlyDictionary<string, string> headers)
        {
            _headers = headers;
        }

        public IEnumerable<KeyValuePair<string, object>> GetAll() => _headers.Select(h => new KeyValuePair<string, object>(h.Key, h.Value));

        public bool TryGetHeader(string key, out object value)
        {
            if (_headers.TryGetValue(key, out var text))
            {
                value = text;
                return true;
            }

            value = null!;
            return false;
        }
    }
}

/// <summary>
/// Settles one message: ack on success, give back (immediately receivable again, delivery count + 1) on a
/// transport fault, or native delayed redelivery for <c>UseDelayedRedelivery</c>.
/// </summary>
internal sealed class RedisStreamsReceiveLockContext : ReceiveLockContext, MessageRedeliveryContext
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

    public Task Complete() => Settle() ? _receiver.AckAsync(Message) : Task.CompletedTask;

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

    public async Task ScheduleRedelivery(TimeSpan delay, Action<ConsumeContext, SendContext>? callback)
    {
        if (!Settle())
        {
            return;
        }

        var headers = new Dictionary<string, string>(Message.Headers, StringComparer.Ordinal);
        var count = headers.TryGetValue(MessageHeaders.RedeliveryCount, out var text) && int.TryParse(text, out var n) ? n : 0;
        headers[MessageHeaders.RedeliveryCount] = (count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Written before the original is acknowledged: a crash in between duplicates, never loses.
        await Engine.SendAsync(Message.Queue, new OutgoingMessage(headers, Message.Body) { Delay = delay }).ConfigureAwait(false);
        await _receiver.AckAsync(Message).ConfigureAwait(false);
        LogContext.Debug?.Log("RESEND {InputAddress} {EntryId} (delay: {Delay})", _inputAddress, Message.EntryId, delay);
    }

    bool Settle() => Interlocked.Exchange(ref _settled, 1) == 0;
}
