using Microsoft.AspNetCore.Routing;
using RedisStreams.Dashboard;
using RedisStreams.Dashboard.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the RedisStreams dashboard into an ASP.NET Core application.</summary>
public static class RedisStreamsDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard under <paramref name="pattern"/>: the overview of every queue at <c>{pattern}/</c>, queue,
    /// dead-letter and topic pages, and the JSON API they use. Read-only unless
    /// <see cref="RedisStreamsDashboardOptions.ActionsPolicy"/> or <see cref="RedisStreamsDashboardOptions.AllowActions"/>
    /// allows redrive, purge and delete. The engine client comes from
    /// <see cref="RedisStreamsDashboardOptions.Connection"/>, else from the container.
    /// </summary>
    /// <example>
    /// <code>
    /// app.MapRedisStreamsDashboard("/redis-streams", o => o.ActionsPolicy = "operators")
    ///    .RequireAuthorization("readers");
    /// </code>
    /// </example>
    /// <param name="endpoints">The application's routes.</param>
    /// <param name="pattern">The base path, e.g. <c>/redis-streams</c>.</param>
    /// <param name="configure">Sets the options; <c>null</c> for a read-only dashboard on the container's client.</param>
    /// <returns>A builder for every endpoint of the dashboard, to chain <c>.RequireAuthorization(...)</c>, <c>.RequireHost(...)</c> and the like.</returns>
    /// <exception cref="InvalidOperationException">No connection is set and the container has no client or multiplexer.</exception>
    /// <exception cref="ArgumentException">The options or the connection text are invalid.</exception>
    public static IEndpointConventionBuilder MapRedisStreamsDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/redis-streams", Action<RedisStreamsDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var options = new RedisStreamsDashboardOptions();
        configure?.Invoke(options);
        options.Validate();
        return DashboardEndpoints.Map(endpoints, "/" + pattern.Trim('/'), options);
    }
}
