using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// Moves a message no consumer took (or that expired) to <c>&lt;queue&gt;_skipped</c> with the reason and the host
/// headers of the instance that moved it, as MassTransit's broker transports do.
/// </summary>
internal sealed class RedisStreamsDeadLetterTransport : IDeadLetterTransport
{
    readonly string _queue;

    public RedisStreamsDeadLetterTransport(string queue)
    {
        _queue = queue;
    }

    public async Task Send(ReceiveContext context, string reason)
    {
        var lockContext = context.GetPayload<RedisStreamsReceiveLockContext>();
        var headers = lockContext.Message.Headers.ToDictionary(h => h.Key, h => (object)h.Value, StringComparer.Ordinal);
        SendHeaders sendHeaders = new DictionarySendHeaders(headers, true);
        sendHeaders.SetHostHeaders();
        sendHeaders.Set(MessageHeaders.Reason, reason ?? "dead-letter");
        await lockContext.Engine.SendAsync(_queue, new OutgoingMessage(OutgoingMessages.ToText(headers), lockContext.Message.Body)).ConfigureAwait(false);
    }
}
