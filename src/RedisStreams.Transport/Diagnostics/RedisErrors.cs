using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// Turns Redis's permission refusals into <see cref="RedisStreamsPermissionException"/> with what to grant, for
/// the administration and inspection calls an operator makes with a user of their own.
/// </summary>
internal static partial class RedisErrors
{
    /// <summary>Runs <paramref name="action"/>, translating a <c>NOPERM</c> refusal.</summary>
    /// <param name="action">The Redis work.</param>
    /// <param name="user">The ACL user, when known.</param>
    /// <param name="operation">What the caller was doing, e.g. "listing queues".</param>
    /// <param name="keyPattern">The keys it touches, e.g. <c>rs:*</c>.</param>
    /// <param name="commands">The commands it needs, as ACL rules, for refusals that do not name one (inside a script).</param>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> action, string? user, string operation, string keyPattern, string commands)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (RedisServerException e) when (Translate(e, user, operation, keyPattern, commands) is { } translated)
        {
            throw translated;
        }
    }

    static RedisStreamsPermissionException? Translate(RedisServerException e, string? user, string operation, string keyPattern, string commands)
    {
        var message = e.Message;
        var who = user is null ? "the connection's Redis user" : $"the Redis user '{user}'";
        var setUser = $"ACL SETUSER {user ?? "<user>"}";
        if (message.Contains("NOPERM", StringComparison.Ordinal))
        {
            var command = CommandName().Match(message);
            if (command.Success)
            {
                var name = command.Groups[1].Value;
                var grant = "+" + name;
                return new RedisStreamsPermissionException($"Redis refused {operation}: {who} may not run '{name}'. Grant it: {setUser} {grant}", user, name, grant, e);
            }

            if (message.Contains("channels", StringComparison.Ordinal))
            {
                var grant = "&" + keyPattern;
                return new RedisStreamsPermissionException($"Redis refused {operation}: {who} may not use the channels {keyPattern}. Grant them: {setUser} {grant}", user, null, grant, e);
            }

            var keys = "~" + keyPattern;
            return new RedisStreamsPermissionException($"Redis refused {operation}: {who} may not access the keys {keyPattern}. Grant them: {setUser} {keys}", user, null, keys, e);
        }

        // A refusal inside a Lua script does not name the command.
        if (message.Contains("can't run this command", StringComparison.Ordinal))
        {
            return new RedisStreamsPermissionException($"Redis refused {operation}: {who} may not run a command the engine's script needs. Grant them: {setUser} {commands}", user, null, commands, e);
        }

        return null;
    }

    [GeneratedRegex("permissions to run the '([^']+)' command")]
    private static partial Regex CommandName();
}
