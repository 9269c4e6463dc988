namespace RedisStreams.Transport;

/// <summary>
/// A write (a send, publish, schedule, acknowledgement or subscription change) that Redis did not confirm.
/// The message names what was written, the Redis endpoint (never a password), the cause and what to do.
/// Catch this type to handle every kind; the derived types tell the causes apart.
/// </summary>
public class RedisStreamsWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisStreamsWriteException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, why, and what to check.</param>
    public RedisStreamsWriteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What failed, why, and what to check.</param>
    /// <param name="innerException">The last error from Redis or the client (never carries passwords).</param>
    public RedisStreamsWriteException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What was being written, e.g. <c>queue 'orders'</c> or <c>topic 'order-submitted'</c>.</summary>
    public string? Destination { get; init; }

    /// <summary>The Redis server the write went to (host and port), when known.</summary>
    public string? Endpoint { get; init; }
}
