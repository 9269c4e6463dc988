using Microsoft.AspNetCore.Http;

namespace RedisStreams.Dashboard;

/// <summary>
/// Settings of the dashboard mapped by <c>MapRedisStreamsDashboard</c>: where its engine client comes from, and
/// whether anyone may act (redrive, purge, delete). By default it only reads.
/// </summary>
public sealed class RedisStreamsDashboardOptions
{
    /// <summary>
    /// The Redis to show, in the transports' forms: <c>redis://[user:password@]host[:port][/db]</c>,
    /// <c>rediss://…</c> for TLS, or a StackExchange.Redis configuration string. The dashboard then owns its own
    /// connection. <c>null</c> (the default) uses the <c>RedisStreamsClient</c> registered in the container, or
    /// else the <c>IConnectionMultiplexer</c> registered there. The page shows the endpoints only, never the password.
    /// </summary>
    public string? Connection { get; set; }

    /// <summary>
    /// The key prefix the applications use (MassTransit's <c>cfg.KeyPrefix</c>, Rebus's <c>.KeyPrefix(...)</c>).
    /// <c>null</c> (the default) takes the prefix of the client from the container, or the engine's default
    /// <c>rs</c>.
    /// </summary>
    public string? KeyPrefix { get; set; }

    /// <summary>
    /// The name of an authorization policy (<c>services.AddAuthorization(o =&gt; o.AddPolicy(name, ...))</c>) a user
    /// must satisfy to redrive, purge or delete. With neither this nor <see cref="AllowActions"/> set, every action
    /// is refused and the pages only read. When both are set, both must allow.
    /// </summary>
    public string? ActionsPolicy { get; set; }

    /// <summary>
    /// Decides per request whether the caller may redrive, purge or delete, for hosts without authorization
    /// policies (the <c>redis-streams dashboard --allow-actions</c> command allows everyone on its loopback port).
    /// With neither this nor <see cref="ActionsPolicy"/> set, every action is refused. When both are set, both must allow.
    /// </summary>
    public Func<HttpContext, Task<bool>>? AllowActions { get; set; }

    /// <summary>How often the pages refresh their numbers without a reload; 2 seconds by default, at least 1.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How old the oldest pending message of a queue, or the silence of a consumer holding messages, may grow
    /// before the dashboard flags it as stuck; 5 minutes by default. Set it above the longest a handler runs.
    /// </summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The title the pages show (say, the environment's name); "RedisStreams" by default.</summary>
    public string Title { get; set; } = "RedisStreams";

    internal void Validate()
    {
        if (RefreshInterval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RefreshInterval), RefreshInterval, "RefreshInterval must be at least one second: each refresh reads every queue from Redis.");
        }

        if (StuckAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StuckAfter), StuckAfter, "StuckAfter must be positive.");
        }

        if (ActionsPolicy is { Length: 0 })
        {
            throw new ArgumentException("ActionsPolicy is empty: name an authorization policy, or leave it null to keep actions off.", nameof(ActionsPolicy));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Title, nameof(Title));
    }
}
