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
        Redrive = tag + ":redrive";
        Redriven = tag + ":redriven";
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

    /// <summary>
    /// Hash of messages on their way from this queue to another one (a redrive between hash slots): taken out of
    /// the stream, not yet confirmed written at their destination. See <c>docs/decisions.md</c>.
    /// </summary>
    public RedisKey Redrive { get; }

    /// <summary>Sorted set of redrive moves already written into this queue, scored by time: the de-duplication marker.</summary>
    public RedisKey Redriven { get; }

    /// <summary>Pub/Sub channel that wakes idle receivers of this queue.</summary>
    public RedisChannel Doorbell { get; }

    /// <summary>All keys of the queue, for deletion and expiry.</summary>
    public RedisKey[] All => [Stream, DeadLetter, Delayed, DelayedData, Waiting, Oversized, Redrive, Redriven];

    /// <summary>The suffixes after <c>prefix:{queue}</c> of every key a queue owns (the stream has none).</summary>
    static readonly string[] Suffixes = ["", ":dead-letter", ":delayed", ":delayed-data", ":waiting", ":oversized", ":redrive", ":redriven"];

    /// <summary>The glob pattern that matches every key of every queue under <paramref name="prefix"/>.</summary>
    public static string Pattern(string prefix) => prefix + ":{*";

    /// <summary>
    /// Reads the queue a key belongs to, when it is one of the keys this class lays out under
    /// <paramref name="prefix"/>; anything else (another application's key, a topic key) gives <c>false</c>.
    /// </summary>
    public static bool TryParse(string prefix, string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? queue)
    {
        queue = null;
        var start = prefix.Length + 2;
        if (key.Length <= start || !key.StartsWith(prefix, StringComparison.Ordinal) || key[prefix.Length] != ':' || key[prefix.Length + 1] != '{')
        {
            return false;
        }

        // Escaped names never contain '}', so the first one closes the hash tag.
        var close = key.IndexOf('}', start);
        if (close < 0 || Array.IndexOf(Suffixes, key[(close + 1)..]) < 0)
        {
            return false;
        }

        return EntityName.TryUnescape(key[start..close], out queue);
    }
}
