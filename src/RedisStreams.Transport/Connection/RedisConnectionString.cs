using System.Globalization;
using StackExchange.Redis;

namespace RedisStreams.Transport.Connection;

/// <summary>
/// Reads the connection forms users write: <c>redis://[[user]:[password]@]host[:port][/db]</c>,
/// <c>rediss://…</c> for TLS, or a StackExchange.Redis configuration string. Errors say what to fix and
/// never repeat a password.
/// </summary>
internal static class RedisConnectionString
{
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
                throw Invalid(Redact(text), e.Message);
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
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw Invalid(Redact(text), "it is not a well-formed URI. Write it as redis://[user:password@]host[:port][/database]");
        }

        var tls = uri.Scheme switch
        {
            "redis" => false,
            "rediss" => true,
            _ => throw Invalid(Redact(text), $"the scheme '{uri.Scheme}' is not supported. Use redis:// or rediss:// (TLS)"),
        };

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(Redact(text), "it names no host. Write it as redis://host:6379");
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        var options = new ConfigurationOptions { Ssl = tls };
        options.EndPoints.Add(uri.Host, port);
        if (tls)
        {
            options.SslHost = uri.Host;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
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

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database) || database > 15_999)
            {
                throw Invalid(Redact(text), $"the path '/{path}' is not a database number. Use e.g. redis://host:6379/0, or leave the path out");
            }

            options.DefaultDatabase = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            ApplyQueryOption(options, name, value, text);
        }

        return options;
    }

    static void ApplyQueryOption(ConfigurationOptions options, string name, string value, string text)
    {
        switch (name.ToLowerInvariant())
        {
            case "timeout":
                options.SyncTimeout = options.AsyncTimeout = options.ConnectTimeout = Milliseconds(name, value, text);
                break;
            case "connecttimeout":
                options.ConnectTimeout = Milliseconds(name, value, text);
                break;
            case "clientname":
                options.ClientName = value;
                break;
            case "sslhost":
                options.SslHost = value;
                break;
            case "ca":
                if (!File.Exists(value))
                {
                    throw Invalid(Redact(text), $"the CA certificate file '{value}' does not exist. Give the path of a PEM or DER file of the CA that issued the server's certificate");
                }

                options.TrustIssuer(value);
                break;
            default:
                throw Invalid(Redact(text), $"the query option '{name}' is not supported. Supported: timeout, connectTimeout, clientName, sslHost, ca (milliseconds for times, a file path for ca)");
        }
    }

    static int Milliseconds(string name, string value, string text) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? ms
            : throw Invalid(Redact(text), $"the option '{name}' must be a positive number of milliseconds");

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
