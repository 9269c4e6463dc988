using Rebus.Messages;
using Rebus.Retry;
using Rebus.Transport;

namespace RedisStreams.Rebus.Internals;

/// <summary>
/// Makes what the error handler sends durable before Rebus acknowledges the poison message, in every error-handler
/// mode. With <c>ErrorHandlerMode.NextDelivery</c> Rebus's error handler enlists its copy for the error queue in the
/// incoming transaction, and Rebus then ends that transaction with commit = false, ack = true on several paths (the
/// native delivery count is over the limit, the message has no id): sends go out only on commit, so the copy would be
/// dropped while the original is deleted. While the error handler runs, the transport writes what it sends in the
/// incoming transaction at once instead, before the handler returns and so before the ack.
/// </summary>
internal sealed class ErrorCopiesSentAtOnce(IErrorHandler inner) : IErrorHandler
{
    const string Marker = "redis-streams-error-handler-running";

    /// <summary>Whether <paramref name="context"/> is a transaction whose error handler is running right now.</summary>
    public static bool AreRunningIn(ITransactionContext context) => context.Items.ContainsKey(Marker);

    public async Task HandlePoisonMessage(TransportMessage transportMessage, ITransactionContext transactionContext, ExceptionInfo exception)
    {
        ArgumentNullException.ThrowIfNull(transactionContext);
        transactionContext.Items[Marker] = true;
        try
        {
            await inner.HandlePoisonMessage(transportMessage, transactionContext, exception).ConfigureAwait(false);
        }
        finally
        {
            transactionContext.Items.TryRemove(Marker, out _);
        }
    }
}
