namespace RedisStreams.Transport;

/// <summary>
/// An administration call named a queue that has no key under the client's key prefix: no stream, no dead
/// letters, no scheduled messages. Usually a typo, or the wrong key prefix.
/// </summary>
public sealed class QueueNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QueueNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was not found.</param>
    public QueueNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was not found.</param>
    /// <param name="innerException">The cause.</param>
    public QueueNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a queue under a key prefix.</summary>
    /// <param name="queue">The queue that was named.</param>
    /// <param name="keyPrefix">The key prefix it was looked for under.</param>
    public QueueNotFoundException(string queue, string keyPrefix)
        : base($"No queue named '{queue}' exists under the key prefix '{keyPrefix}' (no stream, dead letters or scheduled messages). Check the name and the key prefix.")
    {
        Queue = queue;
        KeyPrefix = keyPrefix;
    }

    /// <summary>The queue that was named.</summary>
    public string? Queue { get; }

    /// <summary>The key prefix it was looked for under.</summary>
    public string? KeyPrefix { get; }
}
