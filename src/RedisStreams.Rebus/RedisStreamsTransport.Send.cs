using Rebus.Transport;

namespace RedisStreams.Rebus;

public sealed partial class RedisStreamsTransport
{
    // StackExchange.Redis times a command from the moment it is queued, not sent. A burst of thousands of
    // concurrent commits (Task.WhenAll over SendLocal) would queue thousands of scripts at once, and on a busy
    // machine the last ones time out although Redis executed the first ones in microseconds; an outcome
    // that is unknown to the sender. Queueing the surplus here instead keeps every command's wait short.
    const int MaxConcurrentSends = 32;

    readonly SemaphoreSlim _sendSlots = new(MaxConcurrentSends, MaxConcurrentSends);

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

        await _sendSlots.WaitAsync().ConfigureAwait(false);
        try
        {
            await _client.SendManyAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            _sendSlots.Release();
        }
    }
}
