using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// Moves a faulted message to <c>&lt;queue&gt;_error</c> as MassTransit's broker transports do: the original headers,
/// then the host headers of the instance that moved it, then the exception headers, including any that error-pipe
/// filters added to <see cref="ExceptionReceiveContext.ExceptionHeaders"/>.
/// </summary>
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
        SendHeaders sendHeaders = new DictionarySendHeaders(headers, true);
        sendHeaders.SetHostHeaders();
        sendHeaders.CopyFrom(context.ExceptionHeaders);
        await lockContext.Engine.SendAsync(_queue, new OutgoingMessage(OutgoingMessages.ToText(headers), lockContext.Message.Body)).ConfigureAwait(false);
    }
}
