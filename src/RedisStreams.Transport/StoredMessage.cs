namespace RedisStreams.Transport;

/// <summary>A stream entry read without taking it (see <see cref="RedisStreamsClient.PeekAsync"/>).</summary>
public sealed record StoredMessage
{
    /// <summary>The entry id, e.g. <c>1700000000000-0</c>.</summary>
    public required string EntryId { get; init; }

    /// <summary>When the entry entered the stream, from its id (Redis server clock).</summary>
    public DateTimeOffset EnqueuedAt => DateTimeOffset.FromUnixTimeMilliseconds(EntryIds.Milliseconds(EntryId));

    /// <summary>Transport headers, exactly as sent.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The body, byte for byte; empty when the entry has none.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>
    /// The body as text when it is valid UTF-8 without NUL bytes (JSON, XML, plain text); <c>null</c> for a binary
    /// body, which a tool must show as bytes. The text is exactly what was sent: control characters included, so a
    /// terminal or a web page must still escape it.
    /// </summary>
    public string? BodyText => Wire.Utf8Text.TryDecode(Body.Span);

    /// <summary>
    /// Fields the transport wrote, without their <c>$</c>: <c>ttl</c>, and on dead-lettered entries
    /// <c>dead-letter-reason</c>, <c>dead-letter-time</c>, <c>dead-letter-delivery-count</c> and so on.
    /// </summary>
    public required IReadOnlyDictionary<string, string> TransportFields { get; init; }

    /// <summary>
    /// Why the entry is not a message this transport wrote (no body field, a header twice), as a receiver would
    /// dead-letter it; <c>null</c> for well-formed messages.
    /// </summary>
    public required string? Problem { get; init; }
}

/// <summary>A page of entries read by <see cref="RedisStreamsClient.PeekAsync"/>.</summary>
public sealed record MessagePage
{
    /// <summary>The entries, oldest first.</summary>
    public required IReadOnlyList<StoredMessage> Messages { get; init; }

    /// <summary>Pass as <c>after</c> to read the next page; <c>null</c> when this page reached the end.</summary>
    public required string? NextAfter { get; init; }
}
