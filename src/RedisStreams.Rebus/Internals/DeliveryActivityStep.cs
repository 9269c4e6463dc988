using System.Diagnostics;
using Rebus.Pipeline;
using Rebus.Transport;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Internals;

/// <summary>
/// Makes the engine's receive span of the message (a child of the sender's trace) the current activity while Rebus
/// handles it, so the handler's own spans, and what it sends, join the sender's trace. Rebus 8 traces nothing
/// itself; without a listener on the engine's activity source there is no span and this step only passes through.
/// </summary>
[StepDocumentation("Makes the Redis Streams receive span of the incoming message the current activity, so handlers join the sender's trace.")]
internal sealed class DeliveryActivityStep : IIncomingStep
{
    /// <summary>Where <see cref="RedisStreamsTransport.Receive"/> leaves the engine's message in the transaction context.</summary>
    public const string InboundMessageKey = "redis-streams-inbound-message";

    public async Task Process(IncomingStepContext context, Func<Task> next)
    {
        var transaction = context.Load<ITransactionContext>();
        if (transaction.Items.TryGetValue(InboundMessageKey, out var item) && item is InboundMessage { Activity: { } delivery })
        {
            var previous = Activity.Current;
            Activity.Current = delivery;
            try
            {
                await next().ConfigureAwait(false);
            }
            finally
            {
                Activity.Current = previous;
            }

            return;
        }

        await next().ConfigureAwait(false);
    }
}
