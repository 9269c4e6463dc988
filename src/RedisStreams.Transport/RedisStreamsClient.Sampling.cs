using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    /// <summary>
    /// Reads a queue's numbers for gauges and health checks: one read-only script call, so many queues pipeline
    /// into one round trip. Cheaper than <see cref="GetQueueStatisticsAsync"/> (no consumer list) and on Redis's clock.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="group">The consumer group; defaults to the queue name.</param>
    internal async Task<QueueSample> SampleQueueAsync(string queue, string? group = null)
    {
        var keys = KeysFor(queue);
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(
            LuaScripts.Stats,
            [keys.Stream, keys.DeadLetter, keys.Delayed],
            [group ?? queue]).ConfigureAwait(false))!;
        var length = (long)reply[0];
        var lag = (long)reply[1];
        var pending = (long)reply[2];
        var oldest = (long)reply[3];
        var groupExists = (long)reply[7] == 1;

        // Unknown lag: with acknowledged entries deleted (the default), whatever is in the stream and not pending waits.
        long? waiting = lag >= 0 ? lag : groupExists && Options.Retention is null ? Math.Max(0, length - pending) : null;
        return new QueueSample(
            length,
            waiting,
            pending,
            oldest >= 0 ? TimeSpan.FromMilliseconds(oldest) : null,
            (long)reply[4],
            (long)reply[5],
            (long)reply[6]);
    }
}
