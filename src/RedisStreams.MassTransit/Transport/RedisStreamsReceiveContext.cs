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
