using System.Globalization;
using Rebus.Extensions;
using Rebus.Messages;
using Rebus.Time;
using Rebus.Transport;
using RedisStreams.Transport;

namespace RedisStreams.Rebus;

/// <summary>Turns a message Rebus sends into the engine's message and destination, without touching the original.</summary>
internal sealed class OutgoingMessageMapper(IRebusTime rebusTime)
{
    public (string Queue, OutgoingMessage Message) Map(OutgoingTransportMessage outgoing)
    {
        // Rebus hands the same TransportMessage to every destination: work on a copy of the headers.
        var headers = new Dictionary<string, string>(outgoing.TransportMessage.Headers, StringComparer.Ordinal);

        // A count copied from a received message (forward, error queue, transport-level defer) would be stale;
        // the receiving side recomputes it from Redis.
        headers.Remove(Headers.DeliveryCount);

        var destination = outgoing.DestinationAddress;
        TimeSpan? delay = null;
        if (destination == RedisStreamsTransport.MagicDeferredMessagesAddress)
        {
            (destination, delay) = Defer(headers);
        }

        var message = new OutgoingMessage(headers, outgoing.TransportMessage.Body)
        {
            TimeToLive = TimeToBeReceived(headers),
            Delay = delay,
        };
        return (destination, message);
    }

    (string Recipient, TimeSpan Delay) Defer(Dictionary<string, string> headers)
    {
        if (!headers.Remove(Headers.DeferredUntil, out var dueText))
        {
            throw new InvalidOperationException(
                $"A message was sent to the deferral address '{RedisStreamsTransport.MagicDeferredMessagesAddress}' without a '{Headers.DeferredUntil}' header. Use bus.Defer or bus.DeferLocal to defer messages.");
        }

        if (!headers.TryGetValue(Headers.DeferredRecipient, out var recipient) || string.IsNullOrWhiteSpace(recipient))
        {
            throw new InvalidOperationException(
                $"A deferred message has no '{Headers.DeferredRecipient}' header, so the transport cannot tell where to deliver it when it is due. Use bus.Defer with a routed message type, or bus.Advanced.Routing.Defer with an address.");
        }

        var due = dueText.ToDateTimeOffset();
        return (recipient, due - rebusTime.Now);
    }

    static TimeSpan? TimeToBeReceived(Dictionary<string, string> headers) =>
        headers.TryGetValue(Headers.TimeToBeReceived, out var text) &&
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeToBeReceived) &&
        timeToBeReceived > TimeSpan.Zero
            ? timeToBeReceived
            : null;
}
