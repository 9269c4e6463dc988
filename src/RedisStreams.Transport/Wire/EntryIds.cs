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
}
