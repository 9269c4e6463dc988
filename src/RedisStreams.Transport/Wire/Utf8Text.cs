using System.Text;

namespace RedisStreams.Transport.Wire;

/// <summary>Tells text bodies from binary ones, for tools that show them.</summary>
internal static class Utf8Text
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes as text when they are valid UTF-8 and hold no NUL byte (a sure sign of binary); else <c>null</c>.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Contains((byte)0))
        {
            return null;
        }

        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
