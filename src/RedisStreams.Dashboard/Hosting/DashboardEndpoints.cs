using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedisStreams.Dashboard.Api;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Dashboard.Hosting;

/// <summary>
/// Lays the dashboard out under its base path: the page at <c>{base}/</c>, its assets at <c>{base}/assets/…</c>, the
/// JSON API at <c>{base}/api/…</c> (GET reads, POST acts). Every response carries a strict content security policy.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>
    /// Scripts, styles and images only from the dashboard itself, nothing inline, no framing: whatever a message
    /// holds, the page runs no code but its own, and no other site can frame it to trick a click.
    /// </summary>
    const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static readonly StaticAssets Assets = new();

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string pattern, RedisStreamsDashboardOptions options)
    {
        var services = endpoints.ServiceProvider;
        var source = EngineClientSource.Create(options, services);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(() => source.DisposeAsync().AsTask().GetAwaiter().GetResult());
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("RedisStreams.Dashboard") ?? NullLogger.Instance;
        var state = new DashboardState(options, source, logger);
        logger.Mapped(pattern, source.KeyPrefix, source.Endpoints, state.Gate.Describe());

        var group = endpoints.MapGroup(pattern);
        group.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return await next(context).ConfigureAwait(false);
        });

        group.MapGet("/", (HttpContext http) =>
        {
            // The page's links are relative to the base path: serve it only under a trailing slash.
            if (!http.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect($"{http.Request.PathBase}{http.Request.Path}/{http.Request.QueryString}");
            }

            return Assets.Serve(http, "index.html");
        }).ExcludeFromDescription();
        group.MapGet("/assets/{name}", (HttpContext http, string name) => Assets.Serve(http, name)).ExcludeFromDescription();

        var api = group.MapGroup("/api");
        api.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            try
            {
                return await next(context).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every failure becomes a JSON answer the page can show; unexpected ones are logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return Failure(e, context.HttpContext, state);
            }
        });

        var read = new ReadEndpoints(state);
        api.MapGet("/info", Handler(read.InfoAsync)).ExcludeFromDescription();
        api.MapGet("/queues", Handler(read.QueuesAsync)).ExcludeFromDescription();
        api.MapGet("/queue", Handler(read.QueueAsync)).ExcludeFromDescription();
        api.MapGet("/messages", Handler(read.MessagesAsync)).ExcludeFromDescription();
        api.MapGet("/topics", Handler(read.TopicsAsync)).ExcludeFromDescription();

        var act = new ActionEndpoints(state);
        api.MapPost("/redrive", Handler(act.RedriveAsync)).ExcludeFromDescription();
        api.MapPost("/purge", Handler(act.PurgeAsync)).ExcludeFromDescription();
        api.MapPost("/delete", Handler(act.DeleteAsync)).ExcludeFromDescription();
        return group;
    }

    /// <summary>A route handler whose <see cref="IResult"/> is written (a plain <see cref="RequestDelegate"/> would drop it).</summary>
    static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>A failure as the page shows it: unknown queue 404, permission 403, Redis unreachable 503, bad input 400.</summary>
    static IResult Failure(Exception exception, HttpContext http, DashboardState state)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        var logger = state.Logger;
        switch (exception)
        {
            case QueueNotFoundException e:
                return ApiJson.Error(StatusCodes.Status404NotFound, "queue-not-found", state.Scrub(e.Message));
            case RedisStreamsPermissionException e:
                logger.PermissionDenied(path, state.Scrub(e.Message));
                return ApiJson.Error(StatusCodes.Status403Forbidden, "permission", state.Scrub(e.Message));
            case RedisStreamsConnectionException e:
                logger.RedisUnavailable(e, path, state.Source.Endpoints);
                return ApiJson.Error(StatusCodes.Status503ServiceUnavailable, "redis-refused", state.Scrub(e.Message));
            case RedisConnectionException or RedisTimeoutException or RedisStreamsWriteException:
                logger.RedisUnavailable(exception, path, state.Source.Endpoints);
                return ApiJson.Error(StatusCodes.Status503ServiceUnavailable, "redis-unavailable", state.Scrub($"Redis at {state.Source.Endpoints} cannot be reached or did not answer: {exception.Message}"));
            case ArgumentException e:
                return ApiJson.Error(StatusCodes.Status400BadRequest, "bad-request", state.Scrub(e.Message));
            case BadHttpRequestException e:
                return ApiJson.Error(StatusCodes.Status400BadRequest, "bad-request", state.Scrub(e.Message));
            case JsonException e:
                return ApiJson.Error(StatusCodes.Status400BadRequest, "bad-request", state.Scrub(e.Message));
            case OperationCanceledException when http.RequestAborted.IsCancellationRequested:
                return Results.Empty;
            case RedisServerException e:
                logger.RequestFailed(e, path);
                return ApiJson.Error(StatusCodes.Status502BadGateway, "redis-error", state.Scrub($"Redis refused the command: {e.Message}"));
            default:
                logger.RequestFailed(exception, path);
                return ApiJson.Error(StatusCodes.Status500InternalServerError, "failed", state.Scrub($"{exception.GetType().Name}: {exception.Message}"));
        }
    }
}
