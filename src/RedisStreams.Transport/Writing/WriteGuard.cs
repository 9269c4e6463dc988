using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Diagnostics;
using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>
/// Every write of the engine that a caller is told succeeded goes through here: errors of an outage or a
/// failover are retried until <see cref="RedisStreamsOptions.WriteRetryTimeout"/> (then a clear exception),
/// <c>OOM</c> fails at once, and in durable mode (<see cref="RedisStreamsOptions.RequiredReplicas"/>) a write
/// counts only once <c>WAIT</c> on the same server connection reports enough replicas holding it.
/// </summary>
internal sealed class WriteGuard
{
    readonly RedisStreamsClient _client;
    readonly ILogger _logger;

    // Set by the first failure of an outage, cleared by the next success. A write fails once it has spent
    // WriteRetryTimeout inside an outage (from its call or the outage's start, whichever is later); while no outage
    // is on, nothing cuts it short: a burst queued behind healthy flushes of a busy Redis, or behind one timeout
    // that the next flush recovers from, must go through however long it queued (StackExchange.Redis's own timeout
    // still bounds each call).
    long _outageSince;
    Exception? _lastFailure;

    public WriteGuard(RedisStreamsClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    RedisStreamsOptions Options => _client.Options;

    IConnectionMultiplexer Multiplexer => _client.Multiplexer;

    bool Durable => Options.RequiredReplicas > 0;

    long Window => (long)(Options.WriteRetryTimeout.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// When a write called at <paramref name="startedAt"/> must give up: <see cref="RedisStreamsOptions.WriteRetryTimeout"/>
    /// after it entered the current outage; never while no outage is on.
    /// </summary>
    long OutageDeadline(long startedAt)
    {
        var since = Volatile.Read(ref _outageSince);
        return since == 0 ? long.MaxValue : Math.Max(startedAt, since) + Window;
    }

    /// <summary>
    /// Writes with bounded retries. <paramref name="write"/> gets the command flags to use and must write only
    /// keys in <paramref name="key"/>'s hash slot. <paramref name="startedAt"/> is the caller's call (a
    /// <see cref="Stopwatch"/> timestamp), so during an outage time spent queued for a batch counts too; while
    /// Redis answers, however slowly, nothing is cut short. A conditional write (a transaction under <c>WATCH</c>)
    /// passes <paramref name="wrote"/>, so a result saying nothing was written is not waited for in durable mode.
    /// </summary>
    public async Task<T> WriteAsync<T>(string destination, RedisKey key, Func<CommandFlags, Task<T>> write, long startedAt, Func<T, bool>? wrote = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfOutageOutlasted(destination, key, startedAt);
            try
            {
                await Bounded(_client.EvictionPolicy.EnsureAsync(), startedAt).ConfigureAwait(false);
                var result = await WriteOnceAsync(destination, key, write, startedAt, wrote).ConfigureAwait(false);
                return result;
            }
            catch (Exception e) when (RedisFailure.IsOutOfMemory(e))
            {
                throw OutOfMemory(destination, key, e);
            }
            catch (Exception e) when (RedisFailure.IsTransient(e))
            {
                await BackOffAsync(destination, key, e, attempt, startedAt).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads with the same bounded retries as writes, so a publish never hangs on its lookup.</summary>
    public async Task<T> ReadAsync<T>(string destination, RedisKey key, Func<Task<T>> read)
    {
        var startedAt = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfOutageOutlasted(destination, key, startedAt);
            try
            {
                var result = await Bounded(read(), startedAt).ConfigureAwait(false);
                Recovered();
                return result;
            }
            catch (Exception e) when (RedisFailure.IsTransient(e))
            {
                await BackOffAsync(destination, key, e, attempt, startedAt).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One attempt, confirmed by <c>WAIT</c> in durable mode. A <c>WAIT</c> that comes up short is asked again
    /// on the same connection for up to <see cref="RedisStreamsOptions.WriteRetryTimeout"/>; then it throws
    /// <see cref="RedisStreamsReplicationException"/>. Settlements use this inside their own retry loop.
    /// </summary>
    public async Task<T> WriteOnceAsync<T>(string destination, RedisKey key, Func<CommandFlags, Task<T>> write, long startedAt, Func<T, bool>? wrote = null)
    {
        if (!Durable)
        {
            var written = await Bounded(write(CommandFlags.None), startedAt).ConfigureAwait(false);
            Recovered();
            return written;
        }

        // WAIT counts the replicas that acknowledged this connection's writes, so it must follow the write on
        // the very socket that carried it. StackExchange.Redis keeps one interactive socket per server: note the
        // server that owns the key's slot and its socket count, write without following redirects, and accept
        // the WAIT only if neither changed (a reconnect or a new primary in between would confirm nothing).
        var server = Multiplexer.GetServer(key);
        var sockets = SocketCount(server);
        var result = await Bounded(write(CommandFlags.NoRedirect), startedAt).ConfigureAwait(false);
        Recovered();
        if (wrote is null || wrote(result))
        {
            await ConfirmAsync(destination, key, server, sockets, startedAt).ConfigureAwait(false);
        }

        return result;
    }

    async Task ConfirmAsync(string destination, RedisKey key, IServer server, long sockets, long startedAt)
    {
        // Replicas that lag get the whole window from the write, however long the write waited for its batch.
        var deadline = Stopwatch.GetTimestamp() + Window;
        var required = Options.RequiredReplicas;
        var timeout = (long)Options.ReplicationTimeout.TotalMilliseconds;
        while (true)
        {
            if (!Same(server, key, sockets))
            {
                throw new RedisConnectionException(ConnectionFailureType.SocketClosed, $"The connection to {RedisEndpointText.Describe(server.EndPoint)} changed between a write and its WAIT; writing again.");
            }

            // Bounded by its own timeout, not cut at the deadline: a short answer must be told as such.
            var confirmed = (int)(long)await server.ExecuteAsync("WAIT", required, timeout).ConfigureAwait(false);
            if (!Same(server, key, sockets))
            {
                throw new RedisConnectionException(ConnectionFailureType.SocketClosed, $"The connection to {RedisEndpointText.Describe(server.EndPoint)} changed while waiting for replicas; writing again.");
            }

            if (confirmed >= required)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                throw Replication(destination, key, confirmed, startedAt);
            }

            _logger.ReplicationShort(RedisEndpointText.Describe(server.EndPoint), confirmed, required);
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
    }

    bool Same(IServer server, RedisKey key, long sockets)
    {
        try
        {
            return SocketCount(server) == sockets && Equals(Multiplexer.GetServer(key).EndPoint, server.EndPoint);
        }
        catch (RedisConnectionException)
        {
            return false;
        }
    }

    static long SocketCount(IServer server) => server.GetCounters().Interactive.SocketCount;

    /// <summary>Notes the failure (an outage begins) and waits before the next attempt, at most until the deadline.</summary>
    async Task BackOffAsync(string destination, RedisKey key, Exception error, int attempt, long startedAt)
    {
        Volatile.Write(ref _lastFailure, error);
        Interlocked.CompareExchange(ref _outageSince, Stopwatch.GetTimestamp(), 0);
        _logger.WriteRetry(destination, EndpointOf(key), attempt, error.Message);
        var delay = TimeSpan.FromMilliseconds(Math.Min(1000, 50 * Math.Pow(2, Math.Min(attempt - 1, 5))));
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), OutageDeadline(startedAt));
        await Task.Delay(remaining < delay ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : delay).ConfigureAwait(false);
    }

    /// <summary>During an outage, a write whose retry window is over fails now rather than trying again.</summary>
    void ThrowIfOutageOutlasted(string destination, RedisKey key, long startedAt)
    {
        if (Stopwatch.GetTimestamp() < OutageDeadline(startedAt))
        {
            return;
        }

        var error = Volatile.Read(ref _lastFailure);
        var elapsed = Stopwatch.GetElapsedTime(startedAt);
        var endpoint = EndpointOf(key);
        _logger.WriteGaveUp(error, destination, endpoint, elapsed);
        throw new RedisStreamsUnavailableException(
            $"Writing to {destination} failed: Redis at {endpoint} did not take it within {Seconds(elapsed)} ({Options.WriteRetryTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s allowed by WriteRetryTimeout). " +
            $"Last error: {error?.Message ?? "none recorded"} {Meaning(error)} Check that Redis is running and reachable and that a primary is serving (INFO replication; during a failover the new primary takes over after Sentinel's down-after-milliseconds).",
            error)
        {
            Destination = destination,
            Endpoint = endpoint,
        };
    }

    void Recovered()
    {
        if (Volatile.Read(ref _outageSince) != 0)
        {
            Volatile.Write(ref _outageSince, 0);
        }
    }

    /// <summary>Holds a call to its outage deadline during an outage; leaves it alone otherwise.</summary>
    Task<T> Bounded<T>(Task<T> task, long startedAt) =>
        OutageDeadline(startedAt) is var deadline && deadline == long.MaxValue ? task : task.WaitAsync(Remaining(deadline));

    Task Bounded(Task task, long startedAt) =>
        OutageDeadline(startedAt) is var deadline && deadline == long.MaxValue ? task : task.WaitAsync(Remaining(deadline));

    RedisStreamsOutOfMemoryException OutOfMemory(string destination, RedisKey key, Exception error)
    {
        var endpoint = EndpointOf(key);
        _logger.OutOfMemory(destination, endpoint);
        return new RedisStreamsOutOfMemoryException(
            $"Writing to {destination} failed: Redis at {endpoint} is out of memory (it reached maxmemory and refuses writes). Nothing was written. " +
            "Let consumers drain their queues (receiving and acknowledging still work and free memory), or raise maxmemory (CONFIG SET maxmemory / redis.conf).",
            error)
        {
            Destination = destination,
            Endpoint = endpoint,
        };
    }

    RedisStreamsReplicationException Replication(string destination, RedisKey key, int confirmed, long startedAt)
    {
        var endpoint = EndpointOf(key);
        var required = Options.RequiredReplicas;
        _logger.ReplicationFailed(destination, endpoint, confirmed, required);
        return new RedisStreamsReplicationException(
            $"Writing to {destination} is not durable: the primary at {endpoint} holds it, but only {confirmed} of the {required} required replica(s) confirmed it within {Seconds(Stopwatch.GetElapsedTime(startedAt))} (RequiredReplicas {required}, ReplicationTimeout {Options.ReplicationTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms). " +
            "If that primary fails before its replicas catch up, a failover erases the write; if it does not, the write stays and is delivered, so sending again may duplicate it. " +
            "Check that enough replicas are connected and in sync (INFO replication on the primary: connected_slaves, each replica's lag) and that the network between them is healthy.")
        {
            Destination = destination,
            Endpoint = endpoint,
            ConfirmedReplicas = confirmed,
            RequiredReplicas = required,
        };
    }

    static string Meaning(Exception? error) => error switch
    {
        RedisServerException => "Redis refused the write, so it was not written.",
        _ => "The write may or may not have reached Redis: sending again may duplicate it, never lose it.",
    };

    static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>The server a key lives on, as host:port, or the configured endpoints when none is reachable.</summary>
    internal string EndpointOf(RedisKey key)
    {
        try
        {
            return RedisEndpointText.Describe(Multiplexer.GetServer(key).EndPoint);
        }
        catch (Exception e) when (e is RedisException or InvalidOperationException or NotSupportedException)
        {
            return RedisEndpointText.Describe(Multiplexer.GetEndPoints());
        }
    }

    static TimeSpan Remaining(long deadline)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1);
    }
}
