namespace RedisStreams.Transport;

/// <summary>
/// Redis refused a write because it reached its <c>maxmemory</c> limit (<c>OOM command not allowed</c>). Nothing
/// was written; the write is not retried, since waiting does not free memory. Consumers can still receive and
/// acknowledge, which frees memory: drain the backlog, or raise <c>maxmemory</c>.
/// </summary>
public sealed class RedisStreamsOutOfMemoryException : RedisStreamsWriteException
{
    /// <summary>Creates the exception.</summary>
    public RedisStreamsOutOfMemoryException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, why, and what to do.</param>
    public RedisStreamsOutOfMemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and Redis's error.</summary>
    /// <param name="message">What failed, why, and what to do.</param>
    /// <param name="innerException">Redis's OOM error.</param>
    public RedisStreamsOutOfMemoryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
