using MassTransit;
using MassTransit.Transports;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// A received stream entry as MassTransit sees it: transport headers from the entry's fields, the body as sent, and
/// the time Redis took the entry as the transport's sent time.
/// </summary>
internal sealed class RedisStreamsReceiveContext : BaseReceiveContext
{
    public RedisStreamsReceiveContext(InboundMessage message, RedisStreamsReceiveEndpointContext context, params object[] payloads)
        : base(message.DeliveryCount > 1, context, payloads)
    {
        Message = message;
        Body = new BytesMessageBody(message.GetBodyArray());
        HeaderProvider = new EntryHeaderProvider(message);
    }

    public InboundMessage Message { get; }

    public override MessageBody Body { get; }

    protected override IHeaderProvider HeaderProvider { get; }

    /// <summary>
    /// The entry's fields, plus <see cref="MessageHeaders.TransportSentTime"/> from its id: the time Redis wrote it, on
    /// Redis's clock, as a broker's own timestamp (RabbitMQ's is exposed the same way: asked for, not enumerated, so
    /// it is never copied onto a message forwarded elsewhere).
    /// </summary>
    sealed class EntryHeaderProvider : IHeaderProvider
    {
        readonly InboundMessage _message;

        public EntryHeaderProvider(InboundMessage message)
        {
            _message = message;
        }

        public IEnumerable<KeyValuePair<string, object>> GetAll() => _message.Headers.Select(h => new KeyValuePair<string, object>(h.Key, h.Value));

        public bool TryGetHeader(string key, out object value)
        {
            // The transport's own time wins over a field of that name that some sender copied along.
            if (string.Equals(key, MessageHeaders.TransportSentTime, StringComparison.OrdinalIgnoreCase))
            {
                value = _message.EnqueuedAt.UtcDateTime;
                return true;
            }

            if (_message.Headers.TryGetValue(key, out var text))
            {
                value = text;
                return true;
            }

            value = null!;
            return false;
        }
    }
}
