namespace RedisStreams.Transport;

/// <summary>
/// Redis refused a command because the connection's ACL user lacks a permission (<c>NOPERM</c>). The message
/// says which command or keys, and the <c>ACL SETUSER</c> rule that grants it; it never contains a password.
/// </summary>
public sealed class RedisStreamsPermissionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisStreamsPermissionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was refused and what to grant.</param>
    public RedisStreamsPermissionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and Redis's own error.</summary>
    /// <param name="message">What was refused and what to grant.</param>
    /// <param name="innerException">StackExchange.Redis's exception.</param>
    public RedisStreamsPermissionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal RedisStreamsPermissionException(string message, string? user, string? command, string grant, Exception innerException)
        : base(message, innerException)
    {
        User = user;
        Command = command;
        Grant = grant;
    }

    /// <summary>The ACL user the connection runs as, when known.</summary>
    public string? User { get; }

    /// <summary>The command Redis refused (e.g. <c>scan</c> or <c>xinfo|groups</c>), when Redis named it.</summary>
    public string? Command { get; }

    /// <summary>The ACL rules that would allow the operation, e.g. <c>+scan</c> or <c>~rs:*</c>.</summary>
    public string? Grant { get; }
}
