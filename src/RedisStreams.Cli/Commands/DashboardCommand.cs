using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RedisStreams.Cli.Commands;

/// <summary>
/// <c>dashboard</c>: serves the web dashboard (RedisStreams.Dashboard) on 127.0.0.1 only, with the tool's own
/// connection, until Ctrl+C. Read-only unless <c>--allow-actions</c>.
/// </summary>
internal static class DashboardCommand
{
    public static Command Create(ActionBinder bind)
    {
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 to serve on; 0 (the default) picks a free one. The URL is printed.", DefaultValueFactory = _ => 0 };
        var allowActions = new Option<bool>("--allow-actions") { Description = "Enable redrive, purge and delete in the page, for anyone who can reach the port on this machine. Without it the dashboard only reads." };
        var command = new Command("dashboard", "Serve the web dashboard on 127.0.0.1 until Ctrl+C: every queue with live numbers, consumers, a message browser, and (with --allow-actions) redrive, purge and delete.")
        {
            port, allowActions,
        };
        command.SetAction(bind(async (parsed, context, cancellationToken) =>
        {
            var portNumber = parsed.GetValue(port);
            if (portNumber is < 0 or > 65535)
            {
                throw new CliException(ExitCodes.Usage, "--port must be a port number from 0 to 65535 (0 picks a free one).");
            }

            var allow = parsed.GetValue(allowActions);
            var client = await context.ClientAsync().ConfigureAwait(false);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, portNumber));
            builder.Logging.ClearProviders().AddProvider(new CliLoggerProvider(context)).SetMinimumLevel(LogLevel.Warning).AddFilter("RedisStreams.Dashboard", LogLevel.Information);
            builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
            builder.Services.AddSingleton(client);

            // Loopback is not enough on its own: a web page can point a host name of its own at 127.0.0.1 (DNS
            // rebinding) and read the dashboard as if it were that site. Only requests that name this machine are served.
            builder.Services.AddHostFiltering(o =>
            {
                o.AllowedHosts = ["127.0.0.1", "localhost", "[::1]"];
                o.AllowEmptyHosts = false;
            });

            var app = builder.Build();
            await using var disposeApp = app.ConfigureAwait(false);
            app.UseHostFiltering();
            app.MapRedisStreamsDashboard("/", o =>
            {
                if (allow)
                {
                    o.AllowActions = _ => Task.FromResult(true);
                }
            });
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CliException(ExitCodes.Failed, $"Cannot serve on 127.0.0.1:{portNumber}: {e.Message} Choose another port with --port (0 picks a free one).");
            }

            context.Out($"Dashboard for the key prefix '{context.Prefix}' on Redis {context.Endpoints}: {app.Urls.First().TrimEnd('/')}/");
            context.Out(allow
                ? "Redrive, purge and delete are enabled for anyone who can reach this port on this machine."
                : "Read-only: --allow-actions enables redrive, purge and delete.");
            context.Out("Serving on 127.0.0.1 only. Ctrl+C stops it.");

            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the normal way to stop a server.
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The dashboard's log (its audit lines, failures) on the tool's error output, through the redactor.</summary>
    sealed class CliLoggerProvider(CliContext context) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(context);

        public void Dispose()
        {
        }

        sealed class Logger(CliContext context) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = $"{DateTime.Now:HH:mm:ss} {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}";
                context.Error(exception is null ? line : $"{line} ({exception.GetType().Name}: {exception.Message})");
            }
        }
    }
}
