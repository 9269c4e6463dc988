using Rebus.Transport;

namespace RedisStreams.Rebus;

public sealed partial class RedisStreamsTransport : ITransportInspector
{
    /// <summary>
    /// Reads the input queue's state: <c>queue-length</c> (messages waiting or being handled), plus the number
    /// of pending, delayed and dead-lettered entries.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <exception cref="InvalidOperationException">The transport is a one-way client.</exception>
    public async Task<Dictionary<string, object>> GetProperties(CancellationToken cancellationToken)
    {
        if (Address is null)
        {
            throw new InvalidOperationException("A one-way client has no input queue to inspect.");
        }

        var statistics = await _client.GetQueueStatisticsAsync(Address).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [TransportInspectorPropertyKeys.QueueLength] = statistics.Depth,
            ["pending-count"] = statistics.Pending,
            ["delayed-count"] = statistics.Delayed,
            ["dead-letter-count"] = statistics.DeadLettered,
        };
    }
}
