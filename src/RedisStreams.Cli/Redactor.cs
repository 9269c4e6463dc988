namespace RedisStreams.Cli;

/// <summary>
/// The last line of defence for secrets: every text the tool prints goes through <see cref="Scrub"/>, which
/// replaces the connection's password wherever it appears (the engine and StackExchange.Redis never put it in
/// messages; this makes sure nothing else does either).
/// </summary>
internal sealed class Redactor
{
    readonly List<string> _secrets = [];

    /// <summary>Remembers a secret, and its URI-escaped form, to hide.</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        _secrets.Add(secret);
        var escaped = Uri.EscapeDataString(secret);
        if (escaped != secret)
        {
            _secrets.Add(escaped);
        }
    }

    /// <summary>The text with every remembered secret replaced by <c>***</c>.</summary>
    public string Scrub(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
