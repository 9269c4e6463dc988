using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace RedisStreams.Dashboard.Hosting;

/// <summary>Whether a caller may act (redrive, purge, delete), and why not.</summary>
/// <param name="Allowed">Whether actions are allowed for this request.</param>
/// <param name="Error">A stable code when not: <c>actions-disabled</c> (the host enabled none) or <c>actions-forbidden</c> (not for this user).</param>
/// <param name="Reason">What the page shows when not.</param>
internal sealed record ActionPermission(bool Allowed, string? Error, string? Reason)
{
    public static ActionPermission Granted { get; } = new(true, null, null);
}

/// <summary>
/// The two locks on every action. The host's opt-in: nothing changes unless it set
/// <see cref="RedisStreamsDashboardOptions.ActionsPolicy"/> or <see cref="RedisStreamsDashboardOptions.AllowActions"/>,
/// checked on the server for each request. And the request's origin: an action is a same-origin POST of JSON with
/// the dashboard's own header, so another site open in the operator's browser cannot make one (CSRF).
/// </summary>
internal sealed class ActionGate
{
    /// <summary>The header the page sends with every action; a cross-site form cannot set it, a cross-site script only after a CORS preflight no one grants.</summary>
    public const string RequestHeader = "X-RedisStreams-Dashboard";

    readonly RedisStreamsDashboardOptions _options;

    public ActionGate(RedisStreamsDashboardOptions options)
    {
        _options = options;
    }

    /// <summary>Whether the host enabled actions at all.</summary>
    public bool Enabled => _options.ActionsPolicy is not null || _options.AllowActions is not null;

    /// <summary>How the host decides, for the start-up log line.</summary>
    public string Describe() => (_options.ActionsPolicy, _options.AllowActions) switch
    {
        (null, null) => "off (read-only)",
        ({ } policy, null) => $"allowed by the authorization policy '{policy}'",
        (null, _) => "allowed by the host's AllowActions delegate",
        ({ } policy, _) => $"allowed by the authorization policy '{policy}' and the host's AllowActions delegate",
    };

    /// <summary>Asks the host's policy and delegate whether this request's user may act.</summary>
    public async Task<ActionPermission> CheckAsync(HttpContext http)
    {
        if (!Enabled)
        {
            return new ActionPermission(
                false,
                "actions-disabled",
                "This dashboard is read-only: its host has not enabled actions. Redrive, purge and delete are enabled with RedisStreamsDashboardOptions.ActionsPolicy (an authorization policy) or AllowActions; the standalone 'redis-streams dashboard' with --allow-actions.");
        }

        if (_options.ActionsPolicy is { } policy)
        {
            var authorization = http.RequestServices.GetService<IAuthorizationService>()
                ?? throw new InvalidOperationException($"RedisStreamsDashboardOptions.ActionsPolicy names the policy '{policy}', but authorization is not set up: call services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)).");
            AuthorizationResult result;
            try
            {
                result = await authorization.AuthorizeAsync(http.User, policy).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (e.Message.Contains(policy, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"RedisStreamsDashboardOptions.ActionsPolicy names the policy '{policy}', which is not registered: add it with services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)).", e);
            }

            if (!result.Succeeded)
            {
                return new ActionPermission(false, "actions-forbidden", $"You may look but not change anything: the authorization policy '{policy}' does not allow {UserName(http)}.");
            }
        }

        if (_options.AllowActions is { } allow && !await allow(http).ConfigureAwait(false))
        {
            return new ActionPermission(false, "actions-forbidden", $"You may look but not change anything: the host does not allow actions for {UserName(http)}.");
        }

        return ActionPermission.Granted;
    }

    /// <summary>Why a request cannot be an action of this dashboard's page; <c>null</c> when it can.</summary>
    public static string? CrossSiteProblem(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            return "An action is a POST with a JSON body (Content-Type: application/json).";
        }

        if (request.Headers[RequestHeader] != "1")
        {
            return $"An action needs the header {RequestHeader}: 1, which the dashboard's page sends.";
        }

        // Set by the browser itself, beyond the reach of scripts: it tells a request from our page from one that
        // another site's page made, whatever proxies did to the Host header.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site == "same-origin" ? null : $"Refused a request from another site (Sec-Fetch-Site: {site}): actions come only from the dashboard's own page.";
        }

        // Older browsers: the Origin header, when sent, must be this host.
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase))
        {
            return $"Refused a request from another origin ({origin}): actions come only from the dashboard's own page.";
        }

        return null;
    }

    /// <summary>Who made the request, for refusals and the audit log.</summary>
    public static string UserName(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? $"user '{name}'" : "anonymous users";
}
