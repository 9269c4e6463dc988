using RedisStreams.Transport.Scripts;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    /// <summary>Reads a queue's depth, pending entries, consumers, dead-letter and delayed counts.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="group">The consumer group; defaults to the queue name.</param>
    public async Task<QueueStatistics> GetQueueStatisticsAsync(string queue, string? group = null)
    {
        var keys = KeysFor(queue);
        group ??= queue;
        var db = Database;
        var length = db.StreamLengthAsync(keys.Stream);
        var deadLettered = db.StreamLengthAsync(keys.DeadLetter);
        var delayed = db.SortedSetLengthAsync(keys.Delayed);
        var exists = await db.KeyExistsAsync(keys.Stream).ConfigureAwait(false);

        long pendingCount = 0;
        long? waiting = null;
        TimeSpan? oldestAge = null;
        IReadOnlyList<ConsumerStatistics> consumers = [];
        if (exists)
        {
            var groups = await db.StreamGroupInfoAsync(keys.Stream).ConfigureAwait(false);
            var info = groups.FirstOrDefault(g => g.Name == group);
            if (info.Name is not null)
            {
                waiting = info.Lag;
                var pending = await db.StreamPendingAsync(keys.Stream, group).ConfigureAwait(false);
                pendingCount = pending.PendingMessageCount;
                if (pendingCount > 0)
                {
                    // On the server's clock, which stamped the entry id: a client clock that is off does not matter.
                    var age = (long)await db.ScriptEvaluateAsync(LuaScripts.PendingAge, [keys.Stream], [group]).ConfigureAwait(false);
                    oldestAge = age >= 0 ? TimeSpan.FromMilliseconds(age) : null;
                }

                var consumerInfo = await db.StreamConsumerInfoAsync(keys.Stream, group).ConfigureAwait(false);
                consumers = [.. consumerInfo.Select(c => new ConsumerStatistics(c.Name, c.PendingMessageCount, TimeSpan.FromMilliseconds(c.IdleTimeInMilliseconds)))];
            }
        }

        return new QueueStatistics
        {
            Queue = queue,
            Length = await length.ConfigureAwait(false),
            Waiting = waiting,
            Pending = pendingCount,
            OldestPendingAge = oldestAge,
            Consumers = consumers,
            DeadLettered = await deadLettered.ConfigureAwait(false),
            Delayed = await delayed.ConfigureAwait(false),
        };
    }
}
