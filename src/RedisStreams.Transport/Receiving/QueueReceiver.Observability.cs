using RedisStreams.Transport.Diagnostics;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class QueueReceiver
{
    /// <summary>
    /// Reports unhealthy the moment the connection to the server holding the queue fails, rather than when the next
    /// fetch times out (an idle receiver looks only every <see cref="RedisStreamsOptions.IdlePollInterval"/>, and a
    /// command queued while disconnected waits for the connection's timeout). The next fetch that succeeds reports
    /// healthy again.
    /// </summary>
    void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Interactive || Volatile.Read(ref _state) != 1 || Database.IsConnected(_keys.Stream))
        {
            return;
        }

        var endpoint = RedisEndpointText.DescribeOrUnknown(e.EndPoint);
        if (Health.IsHealthy)
        {
            Health = new ReceiverHealth(false, $"the connection to Redis at {endpoint} failed ({e.FailureType})", DateTimeOffset.UtcNow);
        }

        // Once per outage (reconnect attempts fail again and again), whether or not a failed fetch noticed first.
        if (Interlocked.Exchange(ref _connectionLost, 1) == 0)
        {
            _logger.ReceiverConnectionLost(Queue, ConsumerName, endpoint, e.FailureType.ToString());
        }
    }

    void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive && Database.IsConnected(_keys.Stream))
        {
            Volatile.Write(ref _connectionLost, 0);
        }
    }

    int _connectionLost;

    /// <summary>Runs a settlement inside its span when something listens; as it is otherwise, allocating nothing more.</summary>
    Task Settle(InboundMessage message, string operation, Func<QueueReceiver, InboundMessage, Task> settle) =>
        message.Activity is null && !RedisStreamsDiagnostics.ActivitySource.HasListeners()
            ? settle(this, message)
            : SettleTracedAsync(message, operation, settle);

    async Task SettleTracedAsync(InboundMessage message, string operation, Func<QueueReceiver, InboundMessage, Task> settle)
    {
        // Started before the settlement runs, so the Redis calls it makes nest under it.
        var span = MessageTracing.StartSettle(message, Group, operation);
        try
        {
            await settle(this, message).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            MessageTracing.Failed(span, e);
            span?.Stop();
            throw;
        }

        span?.Stop();
        MessageTracing.EndDelivery(message, operation);
    }
}
