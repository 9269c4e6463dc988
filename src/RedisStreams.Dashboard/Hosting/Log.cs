using Microsoft.Extensions.Logging;

namespace RedisStreams.Dashboard.Hosting;

/// <summary>
/// Every log line of the dashboard, with stable event ids (1080-1089, inside the engine's range). Actions are
/// logged with who made them: the audit trail of what an operator changed. No message carries a password.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1080, LogLevel.Information, "RedisStreams dashboard mapped at {Path} for key prefix {KeyPrefix} on Redis {Endpoints}; actions: {Actions}")]
    public static partial void Mapped(this ILogger logger, string path, string keyPrefix, string endpoints, string actions);

    [LoggerMessage(1081, LogLevel.Information, "Dashboard {Action} of {Queue} by {User} ({RemoteAddress}): {Outcome}")]
    public static partial void ActionDone(this ILogger logger, string action, string queue, string user, string? remoteAddress, string outcome);

    [LoggerMessage(1082, LogLevel.Warning, "Dashboard refused {Action} of {Queue} by {User} ({RemoteAddress}): {Reason}")]
    public static partial void ActionRefused(this ILogger logger, string action, string queue, string user, string? remoteAddress, string reason);

    [LoggerMessage(1083, LogLevel.Warning, "Dashboard request {Path} failed: Redis at {Endpoints} is unreachable or refused the connection")]
    public static partial void RedisUnavailable(this ILogger logger, Exception exception, string path, string endpoints);

    [LoggerMessage(1084, LogLevel.Warning, "Dashboard request {Path} failed: Redis refused a command for lack of a permission: {Reason}")]
    public static partial void PermissionDenied(this ILogger logger, string path, string reason);

    [LoggerMessage(1085, LogLevel.Error, "Dashboard request {Path} failed unexpectedly")]
    public static partial void RequestFailed(this ILogger logger, Exception exception, string path);
}
