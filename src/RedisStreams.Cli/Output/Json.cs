using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedisStreams.Cli.Output;

/// <summary>The <c>--json</c> output: camelCase, enums as text, durations in seconds (fields named so).</summary>
internal static class Json
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    public static string Write<T>(T value, bool indented = true) => JsonSerializer.Serialize(value, indented ? Options : Compact);

    public static double? Seconds(TimeSpan? age) => age is { } a ? Math.Round(a.TotalSeconds, 3) : null;
}
