using System.Globalization;

namespace RedisStreams.Transport;

/// <summary>Reads stream entry ids (<c>&lt;ms&gt;-&lt;seq&gt;</c>).</summary>
internal static class EntryIds
{
    public static long Milliseconds(string entryId)
    {
        var dash = entryId.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(dash < 0 ? entryId : entryId[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the text is a complete entry id, <c>&lt;ms&gt;-&lt;seq&gt;</c>.</summary>
    public static bool IsValid(string? entryId)
    {
        if (string.IsNullOrEmpty(entryId))
        {
            return false;
        }

        var dash = entryId.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 &&
            ulong.TryParse(entryId.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out _) &&
            ulong.TryParse(entryId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
