using System.Globalization;
using StackExchange.Redis;

namespace RedisStreams.Transport.Connection;

/// <summary>
/// Reads the connection forms users write: <c>redis://[[user]:[password]@]host[:port][/db]</c>,
/// <c>rediss://…</c> for TLS, or a StackExchange.Redis configuration string. The one parser of connection text in
/// the product (the adapters validate with it at configuration time), so a text is either accepted everywhere or
/// refused everywhere. Errors name the exact problem and never repeat a password.
/// </summary>
internal static class RedisConnectionString
{
    static readonly string[] QueryOptions = ["timeout", "connectTimeout", "clientName", "sslHost", "ca"];

    public static ConfigurationOptions Parse(string connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var text = connection.Trim();
        if (text.Length == 0)
        {
            throw Invalid("<empty>", "it is empty. Give a URI such as redis://localhost:6379 or a StackExchange.Redis configuration string such as localhost:6379");
        }

        ConfigurationOptions options;
        if (text.Contains("://", StringComparison.Ordinal))
        {
            options = ParseUri(text);
        }
        else
        {
            try
            {
                options = ConfigurationOptions.Parse(text);
            }
            catch (ArgumentException e)
            {
                // StackExchange.Redis names the offending keyword, never the value: safe to pass on.
                throw Invalid(Redact(text), e.Message.TrimEnd('.'));
            }

            if (options.EndPoints.Count == 0)
            {
                throw Invalid(Redact(text), "it names no host. Put host:port first, e.g. localhost:6379,password=...");
            }
        }

        // Reconnect in the background instead of failing the first call after a blip or at start-up.
        options.AbortOnConnectFail = false;
        options.ClientName ??= "redis-streams";
        return options;
    }

    static ConfigurationOptions ParseUri(string text)
    {
        var redacted = Redact(text);
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        var scheme = text[..separator].ToLowerInvariant();
        var tls = scheme switch
        {
            "redis" => false,
            "rediss" => true,
            _ => throw Invalid(redacted, $"the scheme '{text[..separator]}' is not supported. Use redis:// or rediss:// (TLS)"),
        };

        // Split by hand rather than with System.Uri, which only answers "not a well-formed URI" for every mistake.
        var rest = text[(separator + 3)..];
        if (rest.Contains('#', StringComparison.Ordinal))
        {
            throw Invalid(redacted, "it has a '#' fragment. Percent-encode '#' in a password as %23");
        }

        var query = string.Empty;
        var questionMark = rest.IndexOf('?', StringComparison.Ordinal);
        if (questionMark >= 0)
        {
            query = rest[(questionMark + 1)..];
            rest = rest[..questionMark];
        }

        var path = string.Empty;
        var at = rest.LastIndexOf('@');
        var slash = rest.IndexOf('/', at + 1);
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }

        var userInfo = at >= 0 ? rest[..at] : null;
        var (host, port) = HostAndPort(at >= 0 ? rest[(at + 1)..] : rest, redacted);

        var options = new ConfigurationOptions { Ssl = tls };
        options.EndPoints.Add(host, port);
        if (tls)
        {
            options.SslHost = host;
        }

        if (userInfo is { Length: > 0 })
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Unescape(colon < 0 ? userInfo : userInfo[..colon]);
            var password = colon < 0 ? null : Unescape(userInfo[(colon + 1)..]);
            if (password is null)
            {
                // redis://secret@host is the older single-secret form: the text before '@' is the password.
                options.Password = user;
            }
            else
            {
                options.User = user.Length == 0 ? null : user;
                options.Password = password;
            }
        }

        path = path.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database) || database > 15_999)
            {
                throw Invalid(redacted, $"the path '/{path}' is not a database number. Use e.g. redis://host:6379/0, or leave the path out");
            }

            options.DefaultDatabase = database;
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Unescape(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Unescape(pair[(equals + 1)..]);
            ApplyQueryOption(options, name, value, redacted);
        }

        return options;
    }

    static (string Host, int Port) HostAndPort(string authority, string redacted)
    {
        string host;
        string? port = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(redacted, "the IPv6 address has no closing ']'. Write it as redis://[::1]:6379");
            }

            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                port = after[0] == ':' ? after[1..] : throw Invalid(redacted, $"'{after}' follows the IPv6 address where ':port' was expected");
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw Invalid(redacted, "it names no host. Write it as redis://host:6379");
        }

        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw Invalid(redacted, $"the host '{host}' is not a valid host name or IP address");
        }

        if (port is null || port.Length == 0)
        {
            return (host, 6379);
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535
            ? (host, number)
            : throw Invalid(redacted, $"the port '{port}' is not a number from 1 to 65535");
    }

    static void ApplyQueryOption(ConfigurationOptions options, string name, string value, string redacted)
    {
        switch (name.ToLowerInvariant())
        {
            case "timeout":
                options.SyncTimeout = options.AsyncTimeout = options.ConnectTimeout = Milliseconds(name, value, redacted);
                break;
            case "connecttimeout":
                options.ConnectTimeout = Milliseconds(name, value, redacted);
                break;
            case "clientname":
                options.ClientName = value.Length > 0 ? value : throw Invalid(redacted, "the option 'clientName' is empty");
                break;
            case "sslhost":
                options.SslHost = value.Length > 0 ? value : throw Invalid(redacted, "the option 'sslHost' is empty");
                break;
            case "ca":
                if (!File.Exists(value))
                {
                    throw Invalid(redacted, $"the CA certificate file '{value}' does not exist. Give the path of a PEM or DER file of the CA that issued the server's certificate");
                }

                options.TrustIssuer(value);
                break;
            default:
                var guess = QueryOptions.FirstOrDefault(o => EditDistance(o.ToLowerInvariant(), name.ToLowerInvariant()) <= 2);
                var hint = guess is null ? string.Empty : $" Did you mean '{guess}'?";
                throw Invalid(redacted, $"the query option '{name}' is not supported.{hint} Supported: {string.Join(", ", QueryOptions)} (milliseconds for times, a file path for ca)");
        }
    }

    static int Milliseconds(string name, string value, string redacted) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? ms
            : throw Invalid(redacted, $"the option '{name}' must be a positive number of milliseconds");

    static string Unescape(string text) => Uri.UnescapeDataString(text);

    /// <summary>Levenshtein distance, for "did you mean" on misspelt option names.</summary>
    static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>Returns the connection text with any secret replaced by <c>***</c>.</summary>
    public static string Redact(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var at = text.LastIndexOf('@');
            return at > scheme ? text[..(scheme + 3)] + "***" + text[at..] : text;
        }

        var parts = text.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var equals = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && parts[i][..equals].Trim().Contains("password", StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = parts[i][..(equals + 1)] + "***";
            }
        }

        return string.Join(',', parts);
    }

    static ArgumentException Invalid(string redacted, string problem) =>
        new($"The Redis connection '{redacted}' is invalid: {problem}.", "connection");
}
