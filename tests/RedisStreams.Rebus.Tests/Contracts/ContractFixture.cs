using System.Text;
using Rebus.Messages;
using Rebus.Transport;

namespace RedisStreams.Rebus.Tests.Contracts;

/// <summary>Shared helpers of the transport contract fixtures: transaction scopes and string bodies.</summary>
public abstract class ContractFixture
{
    protected static readonly Dictionary<string, string> NoHeaders = [];

    /// <summary>
    /// Runs <paramref name="action"/> in a transaction. Completed: commit and ack. Not completed: rollback and nack,
    /// as Rebus's own <c>SetResult(false, false)</c> followed by completion does.
    /// </summary>
    protected static async Task WithContext(Func<ITransactionContext, Task> action, bool completeTransaction = true)
    {
        using var scope = new RebusTransactionScope();
        await action(scope.TransactionContext);
        if (completeTransaction)
        {
            await scope.CompleteAsync();
        }
        else
        {
            scope.TransactionContext.SetResult(commit: false, ack: false);
        }
    }

    protected static TransportMessage MessageWith(string stringBody, Dictionary<string, string>? headers = null) =>
        new(new Dictionary<string, string>(headers ?? NoHeaders), Encoding.UTF8.GetBytes(stringBody));

    protected static string? GetStringBody(TransportMessage? transportMessage) =>
        transportMessage is null ? null : Encoding.UTF8.GetString(transportMessage.Body);
}
