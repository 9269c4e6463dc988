namespace RedisStreams.Transport;

/// <summary>How much acknowledged history a queue keeps in retention mode.</summary>
/// <param name="MaxLength">Keep at most about this many entries; <c>null</c> for no length limit.</param>
/// <param name="MaxAge">Keep entries younger than this; <c>null</c> for no age limit.</param>
public sealed record StreamRetention(long? MaxLength = null, TimeSpan? MaxAge = null)
{
    internal long MaxLengthOrZero => MaxLength is > 0 ? MaxLength.Value : 0;

    internal long MaxAgeMillisecondsOrZero => MaxAge is { } age && age > TimeSpan.Zero ? (long)age.TotalMilliseconds : 0;
}
