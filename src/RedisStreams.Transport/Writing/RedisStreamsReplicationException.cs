namespace RedisStreams.Transport;

/// <summary>
/// Durable writes are on (<see cref="RedisStreamsOptions.RequiredReplicas"/>) and Redis's <c>WAIT</c> reported
/// fewer replicas holding the write than required, through every retry. The write is on the primary but not
/// confirmed on its replicas: if the primary fails before they catch up, a failover erases it.
/// </summary>
public sealed class RedisStreamsReplicationException : RedisStreamsWriteException
{
    /// <summary>Creates the exception.</summary>
    public RedisStreamsReplicationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, why, and what to check.</param>
    public RedisStreamsReplicationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What failed, why, and what to check.</param>
    /// <param name="innerException">The error that caused it, if any.</param>
    public RedisStreamsReplicationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How many replicas confirmed the write in the last <c>WAIT</c>.</summary>
    public int ConfirmedReplicas { get; init; }

    /// <summary>How many were required (<see cref="RedisStreamsOptions.RequiredReplicas"/>).</summary>
    public int RequiredReplicas { get; init; }
}
