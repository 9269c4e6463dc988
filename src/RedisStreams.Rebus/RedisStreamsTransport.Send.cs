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

        await _client.SendManyAsync(batch).ConfigureAwait(false);
    }
}
