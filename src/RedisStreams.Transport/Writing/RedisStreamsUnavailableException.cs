namespace RedisStreams.Transport;

/// <summary>
/// Redis did not take a write within <see cref="RedisStreamsOptions.WriteRetryTimeout"/>: the connection was
/// down, the server was loading or failing over (<c>READONLY</c>, <c>LOADING</c>, <c>MASTERDOWN</c>,
/// <c>TRYAGAIN</c>, <c>CLUSTERDOWN</c>), or it did not answer in time. Whether the write reached Redis is not
/// known when the last error was a lost connection or a timeout: sending again may duplicate, never lose.
/// </summary>
public sealed class RedisStreamsUnavailableException : RedisStreamsWriteException
{
    /// <summary>Creates the exception.</summary>
    public RedisStreamsUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, why, and what to check.</param>
    public RedisStreamsUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the last error.</summary>
    /// <param name="message">What failed, why, and what to check.</param>
    /// <param name="innerException">The last error from Redis or the client.</param>
    public RedisStreamsUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
