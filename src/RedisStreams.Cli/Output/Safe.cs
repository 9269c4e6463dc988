using System.Globalization;
using System.Text;

namespace RedisStreams.Cli.Output;

/// <summary>
/// Makes text from Redis safe for a terminal: queue names, headers and bodies are written by applications (or by
/// anyone with access to Redis), and raw control characters could move the cursor, recolour or rewrite the
/// screen. They are shown escaped (<c>\n</c>, <c>\u001B</c>) instead.
/// </summary>
internal static class Safe
{
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        StringBuilder? safe = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' or '\u200E' or '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' =>
                    "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escape is null)
            {
                safe?.Append(c);
            }
            else
            {
                safe ??= new StringBuilder(text, 0, i, text.Length + 16);
                safe.Append(escape);
            }
        }

        return safe?.ToString() ?? text;
    }
}
