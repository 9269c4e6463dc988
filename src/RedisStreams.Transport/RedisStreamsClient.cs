using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedisStreams.Transport.Connection;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Subscriptions;
using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>
/// The engine's entry point: sends and publishes, creates receivers, and administers and inspects queues
/// on one Redis connection. Thread-safe; create one per application and share it.
/// </summary>
/// <remarks>
/// A client built from a connection string owns its <see cref="IConnectionMultiplexer"/> and disposes it.
/// A client given an existing multiplexer borrows it and never disposes it.
/// </remarks>
public sealed partial class RedisStreamsClient : IAsyncDisposable, IDisposable
{
    readonly bool _ownsMultiplexer;
    readonly ILoggerFactory _loggerFactory;
    readonly ILogger _logger;
    readonly ConnectionWatch _connectionWatch;
    readonly RegistryWatchdog _watchdog;
    readonly Dictionary<string, QueueKeys> _queueKeys = new(StringComparer.Ordinal);
    readonly Lock _queueKeysLock = new();
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Batching.GroupCommit<PendingSend, string>> _senders = new(StringComparer.Ordinal);

    /// <summary>Creates a client on a multiplexer the caller owns; disposing the client leaves it open.</summary>
    /// <param name="multiplexer">The connection to use.</param>
    /// <param name="options">Engine settings; <c>null</c> for the defaults.</param>
    /// <param name="loggerFactory">Where the engine logs; <c>null</c> for nowhere.</param>
    public RedisStreamsClient(IConnectionMultiplexer multiplexer, RedisStreamsOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(multiplexer, options, loggerFactory, ownsMultiplexer: false)
    {
    }

    RedisStreamsClient(IConnectionMultiplexer multiplexer, RedisStreamsOptions? options, ILoggerFactory? loggerFactory, bool ownsMultiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Options = options?.Clone() ?? new RedisStreamsOptions();
        Options.Validate();
        Multiplexer = multiplexer;
        _ownsMultiplexer = ownsMultiplexer;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RedisStreamsClient>();
        Writes = new WriteGuard(this, _logger);
        EvictionPolicy = new EvictionPolicyCheck(multiplexer, Options.AllowEvictingPolicy, _logger);
        _connectionWatch = new ConnectionWatch(multiplexer, _logger);
        Scanner = new Inspection.KeyScanner(multiplexer);
        AclUser = UserOf(multiplexer);
        Subscriptions = new SubscriptionRegistry(this);
        _watchdog = new RegistryWatchdog(multiplexer, Subscriptions, Options.SubscriptionCheckInterval, _loggerFactory.CreateLogger<SubscriptionRegistry>());
        WatchConfiguredQueues();
    }

    /// <summary>The ACL user the connection authenticates as, for error messages; never the password.</summary>
    static string? UserOf(IConnectionMultiplexer multiplexer)
    {
        try
        {
            return ConfigurationOptions.Parse(multiplexer.Configuration).User;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Connects to Redis and creates a client that owns the connection.
    /// </summary>
    /// <param name="connection">
    /// <c>redis://[[user]:[password]@]host[:port][/db]</c>, <c>rediss://…</c> for TLS, or a StackExchange.Redis
    /// configuration string such as <c>localhost:6379,password=…</c>.
    /// </param>
    /// <param name="options">Engine settings; <c>null</c> for the defaults.</param>
    /// <param name="loggerFactory">Where the engine logs; <c>null</c> for nowhere.</param>
    /// <exception cref="ArgumentException">The connection text is malformed; the message says what to fix and never contains the password.</exception>
    public static async Task<RedisStreamsClient> ConnectAsync(string connection, RedisStreamsOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        var configuration = RedisConnectionString.Parse(connection);
        return await ConnectAsync(configuration, options, loggerFactory).ConfigureAwait(false);
    }

    /// <summary>Connects with StackExchange.Redis options and creates a client that owns the connection.</summary>
    /// <param name="configuration">Connection settings.</param>
    /// <param name="options">Engine settings; <c>null</c> for the defaults.</param>
    /// <param name="loggerFactory">Where the engine logs; <c>null</c> for nowhere.</param>
    public static async Task<RedisStreamsClient> ConnectAsync(ConfigurationOptions configuration, RedisStreamsOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        (options ?? new RedisStreamsOptions()).Validate();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RedisStreamsClient>();
        var endpoints = RedisEndpointText.Describe(configuration.EndPoints);
        logger.Connecting(endpoints);

        // Replies complete on the .NET thread pool, where the engine's continuations run anyway, rather than
        // on StackExchange.Redis's dedicated I/O threads: one thread hop less per reply. Measured on 2 cores,
        // consumption ran 1.6x faster on 40% less CPU (docs/performance.md). A caller who wants the dedicated
        // threads (say, for code that blocks thread-pool threads) sets its own SocketManager.
        configuration = configuration.Clone();
        configuration.SocketManager ??= SocketManager.ThreadPool;
        using var attempts = new ConnectAttemptLog(logger);
        var connecting = ConnectionMultiplexer.ConnectAsync(configuration, attempts);
        await ThrowIfTlsHandshakeHangsAsync(connecting, configuration).ConfigureAwait(false);
        var multiplexer = await connecting.ConfigureAwait(false);
        if (!multiplexer.IsConnected)
        {
            await ThrowIfNotTlsAsync(multiplexer, configuration).ConfigureAwait(false);
            await ThrowIfRefusedAsync(multiplexer, configuration, endpoints, logger, attempts).ConfigureAwait(false);
        }
        else if (configuration.User is { Length: > 0 } user)
        {
            await ThrowIfNotUserAsync(multiplexer, user, endpoints).ConfigureAwait(false);
        }

        var client = new RedisStreamsClient(multiplexer, options, loggerFactory, ownsMultiplexer: true);
        if (multiplexer.IsConnected)
        {
            try
            {
                await client.EvictionPolicy.EnsureAsync().ConfigureAwait(false);
            }
            catch (RedisStreamsConnectionException)
            {
                client.Dispose();
                throw;
            }
            catch (RedisException e)
            {
                // Not reachable after all: checked again before the first write or receiver start.
                logger.NotReachableYet(e, endpoints);
            }
        }

        return client;
    }

    /// <summary>
    /// A TLS handshake with a server that does not speak TLS hangs until the connect timeout, on every retry; rather
    /// than wait for all of them, look after a second whether the port answers plain text.
    /// </summary>
    static async Task ThrowIfTlsHandshakeHangsAsync(Task<ConnectionMultiplexer> connecting, ConfigurationOptions configuration)
    {
        if (!configuration.Ssl || await Task.WhenAny(connecting, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false) == connecting)
        {
            return;
        }

        if (await TlsProbe.FindPlainTextEndPointAsync(configuration, TimeSpan.FromSeconds(2)).ConfigureAwait(false) is { } plain)
        {
            // Nobody else will ever see this multiplexer: close it once its connect gives up.
            _ = connecting.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw NotTls(plain);
        }
    }

    /// <summary>The same check when the connect has already given up (a server that closed the handshake at once).</summary>
    static async Task ThrowIfNotTlsAsync(ConnectionMultiplexer multiplexer, ConfigurationOptions configuration)
    {
        if (configuration.Ssl && await TlsProbe.FindPlainTextEndPointAsync(configuration, TimeSpan.FromSeconds(2)).ConfigureAwait(false) is { } plain)
        {
            multiplexer.Dispose();
            throw NotTls(plain);
        }
    }

    static RedisStreamsConnectionException NotTls(System.Net.EndPoint endPoint) => new(
        $"Redis at {endPoint} does not speak TLS: the TLS handshake got no answer, and a plain-text PING on the same port did. " +
        "Use redis:// instead of rediss:// (or ssl=false), or connect to the port the server serves TLS on (its tls-port setting).");

    /// <summary>
    /// Tells a configuration mistake (fail now, with what to fix) from a server that is not up yet (keep
    /// reconnecting in the background, as StackExchange.Redis does).
    /// </summary>
    static async Task ThrowIfRefusedAsync(ConnectionMultiplexer multiplexer, ConfigurationOptions configuration, string endpoints, ILogger logger, ConnectAttemptLog attempts)
    {
        // The ping's error names only the last attempt, and a retry cut short by the server can read as a
        // socket failure: any attempt refused while we wait counts.
        var refused = false;
        void OnFailed(object? sender, ConnectionFailedEventArgs e) => refused |= e.FailureType == ConnectionFailureType.AuthenticationFailure || IsRefusal(e.Exception);
        multiplexer.ConnectionFailed += OnFailed;
        try
        {
            await multiplexer.GetDatabase().PingAsync().ConfigureAwait(false);
        }
        catch (RedisConnectionException e) when (IsRefusal(e) || Volatile.Read(ref refused))
        {
            multiplexer.Dispose();
            var check = configuration.Ssl
                ? "Check that the server's TLS certificate is issued by a CA this machine trusts (or name the CA with rediss://...?ca=/path/ca.pem or ConfigurationOptions.TrustIssuer), that the certificate's name matches the host, and that the user and password are right."
                : "Check the user and password (redis://user:password@host), and that the user is allowed to connect.";
            throw new RedisStreamsConnectionException($"Redis at {endpoints} refused the connection while authenticating. {check}", e);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            attempts.ReportUnreached(configuration.EndPoints);
            logger.NotReachableYet(e, endpoints);
        }
        finally
        {
            multiplexer.ConnectionFailed -= OnFailed;
        }
    }

    /// <summary>
    /// StackExchange.Redis stays connected when AUTH fails but the server lets the <c>default</c> user in: the
    /// application would then run as someone else. Asking Redis who we are catches a wrong password there.
    /// </summary>
    static async Task ThrowIfNotUserAsync(ConnectionMultiplexer multiplexer, string user, string endpoints)
    {
        string? actual;
        try
        {
            actual = (string?)await multiplexer.GetDatabase().ExecuteAsync("ACL", "WHOAMI").ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            // Not allowed to ask: a restricted user, so not the open default user. Nothing to check.
            return;
        }

        if (!string.Equals(actual, user, StringComparison.Ordinal))
        {
            multiplexer.Dispose();
            throw new RedisStreamsConnectionException(
                $"Redis at {endpoints} did not accept the credentials of user '{user}'; the connection runs as '{actual}' instead. Check the user and password (redis://user:password@host).");
        }
    }

    /// <summary>Whether the failure, or one it wraps, is an authentication refusal rather than an outage.</summary>
    static bool IsRefusal(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } or System.Security.Authentication.AuthenticationException ||
                exception is RedisServerException server && (server.Message.StartsWith("WRONGPASS", StringComparison.Ordinal) || server.Message.StartsWith("NOAUTH", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The connection the client works on.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>The engine settings (a copy of those given).</summary>
    public RedisStreamsOptions Options { get; }

    /// <summary>The topic → queue and topic → topic registry that <see cref="PublishAsync"/> fans out through.</summary>
    public SubscriptionRegistry Subscriptions { get; }

    internal IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>Bounded retries, out-of-memory and durable (WAIT) handling of every write.</summary>
    internal WriteGuard Writes { get; }

    /// <summary>Refuses to run on a server whose maxmemory-policy evicts queues.</summary>
    internal EvictionPolicyCheck EvictionPolicy { get; }

    /// <summary>Where the engine logs; clients derived from this one (a framework endpoint's, say) log there too.</summary>
    public ILoggerFactory LoggerFactory => _loggerFactory;

    internal Inspection.KeyScanner Scanner { get; }

    internal string? AclUser { get; }

    /// <summary>
    /// Whether a script may touch keys of two different queues: on one server it may; on a Cluster (or a proxy)
    /// only when both hash to the same slot.
    /// </summary>
    internal bool CanScriptAcross(RedisKey first, RedisKey second) =>
        Multiplexer.GetServers().All(s => s.ServerType is ServerType.Standalone) ||
        Multiplexer.HashSlot(first) == Multiplexer.HashSlot(second);

    /// <summary>Tells the client that Redis may have lost data, so it checks its subscriptions at once.</summary>
    /// <param name="evidence">What was seen, for the log.</param>
    internal void SuspectDataLoss(string evidence) => _watchdog.Wake(evidence);

    /// <summary>Starts keeping this client's subscriptions in Redis (once): called by its first subscription or link.</summary>
    internal void KeepSubscriptions() => _watchdog.Start();
    /// <summary>Writes a queue's entries too large for a script, through this client's write guard.</summary>
    internal Wire.OversizedEntries OversizedFor(QueueKeys keys) => new(Database, keys, Writes, _logger);

    internal QueueKeys KeysFor(string queue)
    {
        lock (_queueKeysLock)
        {
            if (!_queueKeys.TryGetValue(queue, out var keys))
            {
                keys = new QueueKeys(Options.KeyPrefix, queue);
                _queueKeys[queue] = keys;
            }

            return keys;
        }
    }

    /// <summary>
    /// Reads connection text the way <see cref="ConnectAsync(string, RedisStreamsOptions?, ILoggerFactory?)"/> does, without
    /// connecting: for configuration-time checks and for adapters that need the endpoints.
    /// </summary>
    /// <param name="connection">
    /// <c>redis://[[user]:[password]@]host[:port][/db][?options]</c>, <c>rediss://…</c> for TLS, or a StackExchange.Redis
    /// configuration string.
    /// </param>
    /// <returns>The StackExchange.Redis settings the text describes, set to reconnect in the background.</returns>
    /// <exception cref="ArgumentException">The text is malformed; the message names the exact problem and never contains the password.</exception>
    public static ConfigurationOptions ParseConnection(string connection) => RedisConnectionString.Parse(connection);

    /// <summary>Validates a queue name the way the engine will use it, for configuration-time checks.</summary>
    /// <param name="queue">The name to check.</param>
    /// <exception cref="ArgumentException">The name is empty, too long or not well-formed text.</exception>
    public static void ValidateQueueName(string queue) => EntityName.Validate(queue, "queue");

    /// <summary>Stops keeping this client's subscriptions in Redis and closes the connection if this client opened it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _watchdog.DisposeAsync().ConfigureAwait(false);
        StopWatching();
        EvictionPolicy.Dispose();
        _connectionWatch.Dispose();
        if (_ownsMultiplexer)
        {
            await Multiplexer.CloseAsync().ConfigureAwait(false);
            Multiplexer.Dispose();
        }
    }

    /// <summary>Stops keeping this client's subscriptions in Redis and closes the connection if this client opened it.</summary>
    public void Dispose()
    {
        _watchdog.Stop();
        StopWatching();
        EvictionPolicy.Dispose();
        _connectionWatch.Dispose();
        if (_ownsMultiplexer)
        {
            Multiplexer.Dispose();
        }
    }
}
