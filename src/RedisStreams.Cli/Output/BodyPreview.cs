using System.Text;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Output;

/// <summary>
/// A body shown safely: text when it is valid UTF-8 (control characters escaped), otherwise a hex dump, always
/// with the length and cut to a preview.
/// </summary>
internal static class BodyPreview
{
    /// <summary>One line describing the body: kind, length, and up to <paramref name="maxBytes"/> of it.</summary>
    public static string Describe(StoredMessage message, int maxBytes)
    {
        var body = message.Body;
        if (body.Length == 0)
        {
            return "body: empty";
        }

        var shown = body.Span[..Math.Min(body.Length, maxBytes)];
        var more = body.Length > shown.Length ? $" ... ({body.Length - shown.Length} more bytes)" : string.Empty;
        if (message.BodyText is { } text)
        {
            // Cut on a character boundary: decode only the shown bytes, leniently.
            var preview = shown.Length == body.Length ? text : Encoding.UTF8.GetString(shown).TrimEnd('\uFFFD');
            return $"body ({body.Length} bytes, text): {Safe.Text(preview)}{more}";
        }

        return $"body ({body.Length} bytes, binary, hex): {Convert.ToHexString(shown).ToLowerInvariant().Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b)}{more}";
    }
}
