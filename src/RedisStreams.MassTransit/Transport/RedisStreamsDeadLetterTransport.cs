using MassTransit;
using MassTransit.Transports;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Moves a message no consumer took (or that expired) to <c>&lt;queue&gt;_skipped</c> with the reason.</summary>
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
        var headers = new Dictionary<string, string>(lockContext.Message.Headers, StringComparer.Ordinal)
        {
            [MessageHeaders.Reason] = reason ?? "dead-letter",
        };
        await lockContext.Engine.SendAsync(_queue, new OutgoingMessage(headers, lockContext.Message.Body)).ConfigureAwait(false);
    }
}
