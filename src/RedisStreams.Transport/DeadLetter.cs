using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport;

/// <summary>An entry of a queue's dead-letter stream, with the reason it landed there.</summary>
public sealed record DeadLetter
{
    /// <summary>The field that holds, packed, the fields of an entry too large to copy one by one.</summary>
    internal const string PackedFieldsField = "$dead-letter-fields";

    /// <summary>The entry id in the dead-letter stream.</summary>
    public required string EntryId { get; init; }

    /// <summary>Why the transport gave up on the message.</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// Every field of the entry: the message's own (headers, <c>$body</c>) and the transport's
    /// <c>$dead-letter-*</c> fields. An entry with more fields than a Redis script may copy one by one (about
    /// 3,500 headers) is stored with them packed in <c>$dead-letter-fields</c>; they are unpacked here.
    /// </summary>
    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    internal static DeadLetter From(StreamEntry entry)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        RedisValue packed = RedisValue.Null;
        foreach (var value in entry.Values)
        {
            if (value.Name == PackedFieldsField)
            {
                packed = value.Value;
            }

            fields[value.Name!] = value.Value!;
        }

        if (!packed.IsNull && TryUnpack(packed, out var unpacked))
        {
            fields.Remove(PackedFieldsField);
            for (var i = 0; i < unpacked.Length; i += 2)
            {
                fields.TryAdd(unpacked[i]!, unpacked[i + 1]!);
            }
        }

        return new DeadLetter
        {
            EntryId = entry.Id!,
            Reason = fields.GetValueOrDefault("$dead-letter-reason", "unknown"),
            Fields = fields,
        };
    }

    static bool TryUnpack(RedisValue packed, out RedisValue[] fields)
    {
        try
        {
            fields = PackedFields.Unpack(((ReadOnlyMemory<byte>)packed).Span);
            return true;
        }
        catch (FormatException)
        {
            // Shown as stored: the raw field stays in Fields.
            fields = [];
            return false;
        }
    }
}
