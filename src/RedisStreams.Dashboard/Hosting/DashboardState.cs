using Microsoft.Extensions.Logging;

namespace RedisStreams.Dashboard.Hosting;

/// <summary>What every endpoint of one mapped dashboard shares: its settings, its engine client, its action gate, its log.</summary>
internal sealed class DashboardState
{
    public DashboardState(RedisStreamsDashboardOptions options, EngineClientSource source, ILogger logger)
    {
        Options = options;
        Source = source;
        Gate = new ActionGate(options);
        Logger = logger;
    }

    public RedisStreamsDashboardOptions Options { get; }

    public EngineClientSource Source { get; }

    public ActionGate Gate { get; }

    public ILogger Logger { get; }

    /// <summary>Replaces the password of a connection the dashboard owns wherever it appears: a last guard on every text it returns.</summary>
    public string Scrub(string text)
    {
        if (Source.Password is not { Length: > 0 } password)
        {
            return text;
        }

        text = text.Replace(password, "***", StringComparison.Ordinal);
        var escaped = Uri.EscapeDataString(password);
        return escaped == password ? text : text.Replace(escaped, "***", StringComparison.Ordinal);
    }
}
