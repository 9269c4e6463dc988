namespace RedisStreams.Cli;

/// <summary>The exit codes scripts can rely on; docs/operations.md lists them.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>Something unexpected failed; the message says what.</summary>
    public const int Failed = 1;

    /// <summary>The command line or the connection text is wrong.</summary>
    public const int Usage = 2;

    /// <summary>Redis cannot be reached (or the connection was lost).</summary>
    public const int Unreachable = 3;

    /// <summary>Redis refused the credentials or the TLS handshake.</summary>
    public const int AuthenticationFailed = 4;

    /// <summary>The ACL user lacks a permission; the message says which and what to grant.</summary>
    public const int PermissionDenied = 5;

    /// <summary>The queue does not exist under the key prefix.</summary>
    public const int NotFound = 6;

    /// <summary>A destructive command was not confirmed (declined, or no terminal to ask and no --yes).</summary>
    public const int NotConfirmed = 7;

    /// <summary>A redrive left messages where they were (no destination, or ids not found).</summary>
    public const int Incomplete = 8;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
