using System.Text;
using Microsoft.Extensions.Logging;
using RedisStreams.Transport.Diagnostics;

namespace RedisStreams.Transport.Connection;

/// <summary>
/// Receives StackExchange.Redis's connect log and turns its "Connection failed" lines into a warning at once.
/// Without it a failed first connect says nothing until the connect timeout has passed (10 s and more by
/// default), because the multiplexer's events cannot be subscribed to before <c>ConnectAsync</c> returns.
/// StackExchange.Redis never writes passwords to this log.
/// </summary>
internal sealed class ConnectAttemptLog : TextWriter
{
    const string Marker = "Connection failed: ";

    readonly ILogger _logger;
    readonly StringBuilder _line = new();
    readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    readonly Lock _lock = new();

    public ConnectAttemptLog(ILogger logger)
    {
        _logger = logger;
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                Flush(_line.ToString());
                _line.Clear();
            }
            else if (value != '\r')
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    void Flush(string line)
    {
        // e.g. "12:00:00.0000: Connection failed: 127.0.0.1:6379 (Interactive, UnableToConnect): UnableToConnect on ..."
        var start = line.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return;
        }

        var rest = line[(start + Marker.Length)..];
        var open = rest.IndexOf(" (", StringComparison.Ordinal);
        var close = rest.IndexOf("):", StringComparison.Ordinal);
        if (open <= 0 || close <= open)
        {
            return;
        }

        var kinds = rest[(open + 2)..close].Split(", ");
        Report(rest[..open], kinds[^1]);
    }

    /// <summary>
    /// Warns for each endpoint the connect log said nothing about. On a busy machine the connect can give up
    /// (connect timeout) before StackExchange.Redis has written the failure of an attempt to this log, and the
    /// operator must still hear at once which endpoint did not answer.
    /// </summary>
    public void ReportUnreached(IEnumerable<System.Net.EndPoint> endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            Report(RedisEndpointText.Describe(endpoint), "no connection within the connect timeout");
        }
    }

    void Report(string endpoint, string failure)
    {
        lock (_lock)
        {
            if (_reported.Add(endpoint))
            {
                _logger.ConnectAttemptFailed(endpoint, failure);
            }
        }
    }
}
