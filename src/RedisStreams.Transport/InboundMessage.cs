using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RedisStreams.Transport;

/// <summary>A message a <see cref="QueueReceiver"/> took from its queue and holds until it is settled.</summary>
/// <remarks>Settle it exactly once: <see cref="QueueReceiver.AckAsync"/>, <see cref="QueueReceiver.ReturnAsync"/>
/// or <see cref="QueueReceiver.DeadLetterAsync"/>.</remarks>
public sealed class InboundMessage
{
    internal InboundMessage(
        string queue,
        string entryId,
        IReadOnlyDictionary<string, string> headers,
        ReadOnlyMemory<byte> body,
        int deliveryCount,
        IReadOnlyDictionary<string, string> transportFields)
    {
        Queue = queue;
        EntryId = entryId;
        Headers = headers;
        Body = body;
        DeliveryCount = deliveryCount;
        TransportFields = transportFields;
    }

    /// <summary>The queue the message was received from.</summary>
    public string Queue { get; }

    /// <summary>The stream entry id, e.g. <c>1700000000000-0</c>.</summary>
    public string EntryId { get; }

    /// <summary>Transport headers, exactly as sent.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body, exactly as sent.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// The body as an array, for frameworks whose messages carry one. A received body fills an array of its own,
    /// which is returned as it is, not copied: treat it as read-only, like <see cref="Body"/>.
    /// </summary>
    /// <returns>The body's bytes.</returns>
    public byte[] GetBodyArray() =>
        MemoryMarshal.TryGetArray(Body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : Body.ToArray();

    /// <summary>
    /// How many times Redis has handed this entry to a consumer, this delivery included (1 the first time).
    /// Read from the consumer group's pending-entries list, so it survives restarts and counts deliveries to
    /// every instance.
    /// </summary>
    public int DeliveryCount { get; }

    /// <summary>When the entry entered the stream, from its id (Redis server clock).</summary>
    public DateTimeOffset EnqueuedAt => DateTimeOffset.FromUnixTimeMilliseconds(EntryIds.Milliseconds(EntryId));

    /// <summary>
    /// Fields the transport itself wrote, such as <c>dead-letter-reason</c> on an entry read from a
    /// dead-letter stream. Empty for ordinary messages.
    /// </summary>
    public IReadOnlyDictionary<string, string> TransportFields { get; }

    /// <summary>
    /// The engine's <c>receive</c> span of this delivery: a child of the sender's trace, open until the message is
    /// settled. <c>null</c> when nobody listens to <see cref="RedisStreamsDiagnostics.ActivitySourceName"/>, or once
    /// settled. A framework adapter makes it <see cref="Activity.Current"/> while its pipeline handles the message,
    /// so the handler's spans join the sender's trace.
    /// </summary>
    public Activity? Activity => Volatile.Read(ref _activity);

    Activity? _activity;

    internal void Attach(Activity? activity) => _activity = activity;

    internal Activity? TakeActivity() => Interlocked.Exchange(ref _activity, null);
}
