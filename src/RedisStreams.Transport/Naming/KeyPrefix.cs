namespace RedisStreams.Transport.Naming;

/// <summary>Validates the configurable prefix every key of the product starts with.</summary>
internal static class KeyPrefix
{
    public const int MaxLength = 64;

    public static string Validate(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            throw new ArgumentException("The key prefix is empty. Use a short name such as \"rs\" or \"orders-app\".", nameof(prefix));
        }

        if (prefix.Length > MaxLength)
        {
            throw new ArgumentException($"The key prefix is {prefix.Length} characters long; the limit is {MaxLength}.", nameof(prefix));
        }

        foreach (var c in prefix)
        {
            // Braces would start a hash tag; glob characters would let a prefix match other applications' keys.
            if (c is '{' or '}' or '*' or '?' or '[' or ']' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new ArgumentException(
                    $"The key prefix \"{prefix}\" contains '{(char.IsControl(c) ? "\\u" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString())}'. " +
                    "Use letters, digits, '-', '_', '.', or ':' only.",
                    nameof(prefix));
            }
        }

        return prefix;
    }
}
