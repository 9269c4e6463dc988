using Rebus.Messages;
using Rebus.Transport;
using RedisStreams.Rebus.Internals;

namespace RedisStreams.Rebus;

public sealed partial class RedisStreamsTransport : ITransport
{
    /// <summary>
    /// Buffers the message in the transaction until it commits, as every Rebus transport does; what the error handler
    /// sends in a transaction it runs in is written at once (see <see cref="ErrorCopiesSentAtOnce"/>).
    /// </summary>
    Task ITransport.Send(string destinationAddress, TransportMessage message, ITransactionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ErrorCopiesSentAtOnce.AreRunningIn(context)
            ? SendAtOnceAsync(destinationAddress, message)
            : Send(destinationAddress, message, context);
    }

    /// <summary>
    /// Writes the transaction's outgoing messages, pipelined, when it commits. Deferred messages become native
    /// delayed deliveries to their recipient.
    /// </summary>
    /// <param name="outgoingMessages">The messages Rebus buffered in the transaction.</param>
    /// <param name="context">The committing transaction.</param>
    protected override async Task SendOutgoingMessages(IEnumerable<OutgoingTransportMessage> outgoingMessages, ITransactionContext context)
    {
        ArgumentNullException.ThrowIfNull(outgoingMessages);
        var batch = outgoingMessages.Select(_outgoing.Map).ToList();
        if (batch.Count == 0)
        {
            return;
        }

        // A burst of thousands of concurrent commits does not queue thousands of commands (StackExchange.Redis
        // would time the last ones out while Redis ran the first in microseconds): the engine sends concurrent
        // messages to one queue in shared script calls, one call in flight per queue.
        await _client.SendManyAsync(batch).ConfigureAwait(false);
    }

    async Task SendAtOnceAsync(string destinationAddress, TransportMessage message)
    {
        var (queue, outgoing) = _outgoing.Map(new OutgoingTransportMessage(message, destinationAddress));
        await _client.SendAsync(queue, outgoing).ConfigureAwait(false);
    }
}
