using System.Globalization;
using System.Text;

namespace RedisStreams.Transport.Naming;

/// <summary>
/// Turns a queue or topic name into the text that goes inside a Redis key.
/// </summary>
/// <remarks>
/// Letters and digits of any script and <c>- _ . @ /</c> pass through unchanged so keys stay readable in
/// <c>redis-cli</c>. Everything else (braces, colons, glob characters, whitespace, control characters and
/// <c>%</c> itself) becomes <c>%XX</c> per UTF-8 byte. Because <c>%</c> is always escaped the mapping is
/// injective: two different names can never share a key, and no name can close its own hash tag.
/// </remarks>
internal static class EntityName
{
    /// <summary>The longest name accepted, in characters.</summary>
    public const int MaxLength = 512;

    public static string Escape(string name, string kind)
    {
        Validate(name, kind);
        StringBuilder? escaped = null;
        var index = 0;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in name.EnumerateRunes())
        {
            if (IsPlain(rune))
            {
                escaped?.Append(rune.ToString());
            }
            else
            {
                escaped ??= new StringBuilder(name, 0, index, name.Length + 16);
                var count = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < count; i++)
                {
                    escaped.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            index += rune.Utf16SequenceLength;
        }

        return escaped?.ToString() ?? name;
    }

    public static void Validate(string name, string kind)
    {
        ArgumentNullException.ThrowIfNull(name, kind);
        if (name.Length == 0 || string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"The {kind} name is empty. Give the {kind} a name with at least one visible character.", kind);
        }

        if (name.Length > MaxLength)
        {
            throw new ArgumentException(
                $"The {kind} name is {name.Length} characters long; the limit is {MaxLength}. Use a shorter {kind} name.",
                kind);
        }

        // A lone surrogate cannot be encoded and would make two names collide on U+FFFD.
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                throw new ArgumentException($"The {kind} name contains an unpaired UTF-16 surrogate at position {i}. Use well-formed Unicode text.", kind);
            }
        }
    }

    /// <summary>
    /// The inverse of <see cref="Escape"/>: turns the text inside a key's braces back into the name. Returns
    /// <c>false</c> for text <see cref="Escape"/> cannot have produced (a stray <c>%</c>, an escaped character
    /// that needed no escaping, bytes that are not UTF-8), so a key someone else wrote under the prefix is never
    /// mistaken for a queue.
    /// </summary>
    public static bool TryUnescape(string escaped, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name)
    {
        name = null;
        if (escaped.Length == 0)
        {
            return false;
        }

        if (!escaped.Contains('%', StringComparison.Ordinal))
        {
            name = escaped;
        }
        else
        {
            var bytes = new List<byte>(escaped.Length);
            Span<byte> utf8 = stackalloc byte[4];
            for (var i = 0; i < escaped.Length; i++)
            {
                if (escaped[i] == '%')
                {
                    if (i + 2 >= escaped.Length ||
                        !byte.TryParse(escaped.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
                    {
                        return false;
                    }

                    bytes.Add(value);
                    i += 2;
                }
                else
                {
                    if (!Rune.TryGetRuneAt(escaped, i, out var rune))
                    {
                        return false;
                    }

                    var count = rune.EncodeToUtf8(utf8);
                    for (var b = 0; b < count; b++)
                    {
                        bytes.Add(utf8[b]);
                    }

                    i += rune.Utf16SequenceLength - 1;
                }
            }

            try
            {
                name = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }

        // Only the exact text Escape makes counts: anything else is not one of our keys.
        try
        {
            if (Escape(name, "queue") == escaped)
            {
                return true;
            }
        }
        catch (ArgumentException)
        {
        }

        name = null;
        return false;
    }

    static bool IsPlain(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || rune.Value is '-' or '_' or '.' or '@' or '/';
}
