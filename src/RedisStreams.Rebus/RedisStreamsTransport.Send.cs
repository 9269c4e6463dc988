using Rebus.Transport;

namespace RedisStreams.Rebus;

public sealed partial class RedisStreamsTransport
{
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
}
