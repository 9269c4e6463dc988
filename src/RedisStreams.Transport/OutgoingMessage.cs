namespace RedisStreams.Transport;

/// <summary>A message to write to a queue: transport headers and an opaque body.</summary>
/// <remarks>
/// Each header becomes its own stream field under its own name and the body one more field, so
/// <c>XRANGE</c> in <c>redis-cli</c> shows a readable message. The instance is never modified by the
/// engine and may be sent to several queues.
/// </remarks>
public sealed class OutgoingMessage
{
    /// <summary>Creates a message.</summary>
    /// <param name="headers">Transport headers; names and values are text.</param>
    /// <param name="body">The body; it round-trips byte for byte.</param>
    public OutgoingMessage(IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Headers = headers;
        Body = body;
    }

    /// <summary>Transport headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The message body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// How long the message may wait in the queue before it is discarded unread; <c>null</c> for ever.
    /// The clock starts when the message enters the stream (after any <see cref="Delay"/>) and is Redis's own.
    /// </summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>
    /// Deliver no earlier than this long from now; <c>null</c> or not positive for at once. Measured on
    /// the Redis server's clock.
    /// </summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>
    /// The token a delayed message is scheduled under, for <see cref="RedisStreamsClient.CancelScheduledAsync"/>;
    /// <c>null</c> to have the engine generate one. Lets a framework cancel by an id it chose itself
    /// (e.g. MassTransit's schedule token id). Scheduling again under a token still waiting replaces that message.
    /// </summary>
    public string? ScheduleToken { get; init; }
}
