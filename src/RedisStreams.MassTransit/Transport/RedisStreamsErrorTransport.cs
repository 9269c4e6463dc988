using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Moves a faulted message to <c>&lt;queue&gt;_error</c> with MassTransit's exception headers.</summary>
internal sealed class RedisStreamsErrorTransport : IErrorTransport
{
    readonly string _queue;

    public RedisStreamsErrorTransport(string queue)
    {
        _queue = queue;
    }

    public async Task Send(ExceptionReceiveContext context)
    {
        var lockContext = context.GetPayload<RedisStreamsReceiveLockContext>();
        var headers = lockContext.Message.Headers.ToDictionary(h => h.Key, h => (object)h.Value, StringComparer.Ordinal);
        new DictionarySendHeaders(headers, true).SetExceptionHeaders(context);
        await lockContext.Engine.SendAsync(_queue, new OutgoingMessage(OutgoingMessages.ToText(headers), lockContext.Message.Body)).ConfigureAwait(false);
    }
}
