namespace RedisStreams.Transport;

/// <summary>
/// Redis refused the connection for a reason that waiting will not fix: wrong credentials, an untrusted TLS
/// certificate, a missing permission; or the engine refuses the server because its <c>maxmemory-policy</c> would
/// evict queues (see <see cref="RedisStreamsOptions.AllowEvictingPolicy"/>). The message says what to check and
/// never contains a password.
/// </summary>
public sealed class RedisStreamsConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisStreamsConnectionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong and what to check.</param>
    public RedisStreamsConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the client's own exception.</summary>
    /// <param name="message">What went wrong and what to check.</param>
    /// <param name="innerException">StackExchange.Redis's exception (it never carries passwords).</param>
    public RedisStreamsConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
