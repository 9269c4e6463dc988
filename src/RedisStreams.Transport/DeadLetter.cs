using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>An entry of a queue's dead-letter stream, with the reason it landed there.</summary>
public sealed record DeadLetter
{
    /// <summary>The entry id in the dead-letter stream.</summary>
    public required string EntryId { get; init; }

    /// <summary>Why the transport gave up on the message.</summary>
    public required string Reason { get; init; }

    /// <summary>Every field of the entry, exactly as stored (headers, <c>$body</c>, <c>$dead-letter-*</c>).</summary>
    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    internal static DeadLetter From(StreamEntry entry)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in entry.Values)
        {
            fields[value.Name!] = value.Value!;
        }

        return new DeadLetter
        {
            EntryId = entry.Id!,
            Reason = fields.GetValueOrDefault("$dead-letter-reason", "unknown"),
            Fields = fields,
        };
    }
}
