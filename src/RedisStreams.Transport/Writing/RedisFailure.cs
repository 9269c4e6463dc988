using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>Tells the errors worth another attempt (an outage or a failover in progress) from those that are not.</summary>
internal static class RedisFailure
{
    // Replies of a server that cannot take writes now but will (or whose role is changing): a replica being
    // written to after a failover, a server loading its data, a replica whose primary is down, a cluster slot
    // being migrated or a cluster without quorum, a WAIT unblocked because the server's role changed, and in
    // durable mode a MOVED we refuse to follow (the write must land where its WAIT goes), and a primary whose
    // min-replicas-to-write is not met (its replicas may come back).
    static readonly string[] TransientReplies = ["READONLY", "LOADING", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "UNBLOCKED", "MOVED", "ASK", "NOREPLICAS", "WAIT cannot be used with replica"];

    /// <summary>Whether trying again later may succeed: the connection, the server's role or the cluster is changing.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } => false,
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException server => TransientReplies.Any(reply => Contains(server.Message, reply)),

        // StackExchange.Redis surfaces a connection cut mid-write as its pipe's InvalidOperationException.
        InvalidOperationException => exception.StackTrace?.Contains("StackExchange.Redis", StringComparison.Ordinal) == true,
        _ => false,
    };

    /// <summary>Whether Redis refused the write for lack of memory (<c>maxmemory</c> reached).</summary>
    public static bool IsOutOfMemory(Exception exception) =>
        exception is RedisServerException server && Contains(server.Message, "OOM command not allowed");

    // Redis 7 passes a script's error on as it was, with the script's name appended; Redis 6 wraps it as
    // "ERR Error running script ... -READONLY ...". Either way the code is a word of its own.
    static bool Contains(string message, string reply) =>
        message.StartsWith(reply, StringComparison.Ordinal) || message.Contains(" " + reply, StringComparison.Ordinal) || message.Contains("-" + reply, StringComparison.Ordinal);
}
