namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    /// <summary>Creates a receiver: one consumer of a queue's group. Start it with <see cref="QueueReceiver.StartAsync"/>.</summary>
    /// <param name="queue">The queue to consume.</param>
    /// <param name="group">The consumer group (the endpoint); defaults to the queue name.</param>
    /// <param name="prefetchCount">The most messages to hold at once; defaults to <see cref="RedisStreamsOptions.PrefetchCount"/>.</param>
    public QueueReceiver CreateReceiver(string queue, string? group = null, int? prefetchCount = null) =>
        new(this, queue, group, prefetchCount);
}
