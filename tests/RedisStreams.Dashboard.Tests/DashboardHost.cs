using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.Dashboard;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Dashboard.Tests;

/// <summary>
/// An ASP.NET Core app as a user would write one: cookie sign-in, an authorization policy for operators, and the
/// dashboard mapped at <c>/redis-streams</c>, served by Kestrel on a free loopback port against the test Redis
/// under a key prefix of its own. <c>/login?role=operator</c> signs the browser in as alice, an operator;
/// <c>/login</c> as bob, who may only look.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    public const string OperatorsPolicy = "redis-streams-operators";

    readonly WebApplication _app;

    DashboardHost(WebApplication app, RedisEndpoint redis, string prefix, RedisStreamsClient client, Uri address, CapturedLogs logs)
    {
        _app = app;
        Redis = redis;
        Prefix = prefix;
        Client = client;
        Address = address;
        Logs = logs;
    }

    public RedisEndpoint Redis { get; }

    public string Prefix { get; }

    /// <summary>An engine client on the test's prefix, for seeding and checking (the dashboard borrows it from the container unless a connection is set).</summary>
    public RedisStreamsClient Client { get; }

    /// <summary>The app's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The dashboard's page.</summary>
    public Uri Dashboard => new(Address, "redis-streams/");

    public CapturedLogs Logs { get; }

    /// <summary>
    /// Starts the app. <paramref name="configure"/> sets the dashboard's options; by default actions need the operators'
    /// policy. <paramref name="useConnection"/> gives the dashboard a connection string of its own instead of the
    /// container's client. <paramref name="middleware"/> runs before the dashboard on every request (a test holds a
    /// request with it).
    /// </summary>
    public static async Task<DashboardHost> StartAsync(
        Action<RedisStreamsDashboardOptions>? configure = null,
        Func<RedisEndpoint, string, string>? useConnection = null,
        Action<IEndpointConventionBuilder>? conventions = null,
        Func<HttpContext, Func<Task>, Task>? middleware = null,
        [CallerMemberName] string test = "")
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix(test);
        var client = new RedisStreamsClient(await redis.AdminAsync(), new RedisStreamsOptions { KeyPrefix = prefix });
        var logs = new CapturedLogs();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSingleton(client);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddAuthorization(o => o.AddPolicy(OperatorsPolicy, p => p.RequireAuthenticatedUser().RequireRole("operator")));

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        if (middleware is not null)
        {
            app.Use(middleware);
        }

        app.MapGet("/login", async (HttpContext http, string? role) =>
        {
            var operatorRole = role == "operator";
            var claims = new List<Claim> { new(ClaimTypes.Name, operatorRole ? "alice" : "bob") };
            if (operatorRole)
            {
                claims.Add(new Claim(ClaimTypes.Role, "operator"));
            }

            await http.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.Redirect("/redis-streams/");
        });
        var dashboard = app.MapRedisStreamsDashboard("/redis-streams", o =>
        {
            o.ActionsPolicy = OperatorsPolicy;
            if (useConnection is not null)
            {
                o.Connection = useConnection(redis, prefix);
                o.KeyPrefix = prefix;
            }

            configure?.Invoke(o);
        });
        conventions?.Invoke(dashboard);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DashboardHost(app, redis, prefix, client, new Uri(address.TrimEnd('/') + "/"), logs);
    }

    /// <summary>Sends a message with an <c>id</c> header, more headers and a text body.</summary>
    public Task<string> SendAsync(string queue, string id, Dictionary<string, string>? headers = null, string? body = null, TimeSpan? delay = null)
    {
        headers ??= [];
        headers["id"] = id;
        return Client.SendAsync(queue, new OutgoingMessage(headers, Encoding.UTF8.GetBytes(body ?? $"{{\"id\":\"{id}\"}}")) { Delay = delay });
    }

    /// <summary>Puts one message into the queue's dead-letter stream the way a receiver does.</summary>
    public async Task<QueueReceiver> DeadLetterAsync(string queue, string id, string reason)
    {
        await SendAsync(queue, id);
        var receiver = Client.CreateReceiver(queue, prefetchCount: 1);
        await receiver.StartAsync();
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(message);
        await receiver.DeadLetterAsync(message, reason);
        return receiver;
    }

    /// <summary>An HTTP client on the app, as a script or another site would call it.</summary>
    public HttpClient Http() => new() { BaseAddress = Dashboard };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps every log line of the app, to check the dashboard's audit lines.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    readonly ConcurrentQueue<(string Category, EventId Id, LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(string Category, EventId Id, LogLevel Level, string Message)> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    sealed class Logger(string category, ConcurrentQueue<(string, EventId, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, eventId, logLevel, formatter(state, exception)));
    }
}
