namespace RedisStreams.Testing;

/// <summary>
/// The least a Redis ACL user needs to run the transports under one key prefix: its keys (<c>~prefix:*</c>),
/// its channels (<c>&amp;prefix:*</c>) and the commands the engine sends, directly or inside its scripts.
/// docs/reliability.md shows the same rules as a template.
/// </summary>
public static class RedisAclUser
{
    /// <summary>The command rules, after <c>-@all</c>.</summary>
    public static readonly string[] CommandRules =
    [
        "+@connection", "+acl|whoami", "+info", "+client|setname", "+client|id", "+cluster|nodes", "+cluster|slots", "+wait",
        "+evalsha", "+eval", "+script|load", "+publish", "+subscribe", "+unsubscribe", "+time",
        "+@stream", "+set", "+get", "+del", "+exists", "+expire", "+pexpire",
        "+zadd", "+zrange", "+zrangebyscore", "+zrem", "+zcard",
        "+hset", "+hget", "+hdel", "+sadd", "+srem", "+smembers",
        "+hsetnx", "+hlen", "+hscan", "+zscore", "+@transaction",
    ];

    /// <summary>
    /// What an operator's user needs for every <c>redis-streams</c> command (listing scans the keyspace, redrive and
    /// purge run the engine's scripts, a redrive writes messages too large for a script itself in a transaction);
    /// docs/operations.md shows the same rules.
    /// </summary>
    public static readonly string[] OperatorCommandRules =
    [
        "+@connection", "+acl|whoami", "+info", "+client|setname", "+client|id", "+cluster|nodes", "+cluster|slots",
        "+subscribe", "+unsubscribe", "+time", "+scan", "+exists",
        "+xlen", "+xinfo", "+xpending", "+xrange", "+xrevrange", "+zcard", "+zrange", "+hlen", "+smembers",
        "+evalsha", "+eval", "+script|load", "+publish", "+xadd", "+xdel", "+xtrim", "+xgroup",
        "+hset", "+hdel", "+hgetall", "+zadd", "+zscore", "+zremrangebyscore", "+del", "+srem", "+set", "+incr",
        "+hsetnx", "+hget", "+hscan", "+@transaction",
    ];

    /// <summary>The arguments of <c>ACL SETUSER</c> for a user limited to <paramref name="prefix"/>.</summary>
    public static object[] SetUserArguments(string user, string password, string prefix) =>
        SetUserArguments(user, password, prefix, CommandRules);

    /// <summary>The arguments of <c>ACL SETUSER</c> for a user limited to <paramref name="prefix"/> with the given command rules.</summary>
    public static object[] SetUserArguments(string user, string password, string prefix, IEnumerable<string> commandRules) =>
        ["SETUSER", user, "reset", "on", ">" + password, $"~{prefix}:*", $"&{prefix}:*", "-@all", .. commandRules];
}
