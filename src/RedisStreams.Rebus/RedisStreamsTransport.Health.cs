using RedisStreams.Transport;

namespace RedisStreams.Rebus;

public sealed partial class RedisStreamsTransport
{
    /// <summary>
    /// Why this transport is not receiving although it should, when its receiver never started (a receiver that
    /// started reports through the engine client's own health); <c>null</c> when it receives or is a one-way client.
    /// </summary>
    internal string? ReceiverProblem
    {
        get
        {
            if (Address is null)
            {
                return null;
            }

            Task<QueueReceiver>? receiver;
            lock (_receiverLock)
            {
                receiver = _receiver;
            }

            return receiver switch
            {
                null => $"not receiving from queue '{Address}': the bus has not started it, or stopped",
                { IsFaulted: true } => $"starting to receive from queue '{Address}' failed: {receiver.Exception!.GetBaseException().Message}",
                { IsCompletedSuccessfully: false } => $"still starting to receive from queue '{Address}'",
                _ => null,
            };
        }
    }
}
