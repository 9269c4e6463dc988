using StackExchange.Redis;

namespace RedisStreams.Transport.Naming;

/// <summary>
/// Every Redis key and channel that belongs to one queue. All keys share the hash tag <c>{queue}</c>, so
/// every script touching a queue runs in one cluster slot.
/// </summary>
internal sealed class QueueKeys
{
    public QueueKeys(string prefix, string queue)
    {
        Queue = queue;
        var tag = prefix + ":{" + EntityName.Escape(queue, "queue") + "}";
        Stream = tag;
        DeadLetter = tag + ":dead-letter";
        Delayed = tag + ":delayed";
        DelayedData = tag + ":delayed-data";
        Waiting = tag + ":waiting";
        Oversized = tag + ":oversized";
        Doorbell = RedisChannel.Literal(tag + ":doorbell");
    }

    /// <summary>The queue's name as the user gave it.</summary>
    public string Queue { get; }

    /// <summary>The stream holding the queue's messages.</summary>
    public RedisKey Stream { get; }

    /// <summary>The stream receiving entries the transport gave up on (crash loops, malformed entries).</summary>
    public RedisKey DeadLetter { get; }

    /// <summary>Sorted set of scheduled message tokens, scored by due time in Unix milliseconds.</summary>
    public RedisKey Delayed { get; }

    /// <summary>Hash from scheduled message token to the packed message.</summary>
    public RedisKey DelayedData { get; }

    /// <summary>
    /// Hash of entries too large for a script to write (more field values than Lua can unpack), packed, that a
    /// due delayed message or a requeued dead letter became; a client writes them to the stream.
    /// </summary>
    public RedisKey Oversized { get; }

    /// <summary>Flag set by an idle receiver: the next writer rings the doorbell.</summary>
    public RedisKey Waiting { get; }

    /// <summary>Pub/Sub channel that wakes idle receivers of this queue.</summary>
    public RedisChannel Doorbell { get; }

    /// <summary>All keys of the queue, for deletion.</summary>
    public RedisKey[] All => [Stream, DeadLetter, Delayed, DelayedData, Waiting, Oversized];
}
