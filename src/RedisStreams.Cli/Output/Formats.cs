using System.Globalization;

namespace RedisStreams.Cli.Output;

/// <summary>Numbers and durations the way an operator reads them.</summary>
internal static class Formats
{
    public static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    /// <summary>1.2s, 3m 12s, 4h 05m, 2d 03h; "-" for none.</summary>
    public static string Age(TimeSpan? age) => age switch
    {
        null => "-",
        { TotalSeconds: < 60 } a => a.TotalSeconds.ToString(a.TotalSeconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + "s",
        { TotalMinutes: < 60 } a => $"{(int)a.TotalMinutes}m {a.Seconds:00}s",
        { TotalHours: < 24 } a => $"{(int)a.TotalHours}h {a.Minutes:00}m",
        var a => $"{(int)a.Value.TotalDays}d {a.Value.Hours:00}h",
    };

    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
