using System.Buffers.Binary;
using StackExchange.Redis;

namespace RedisStreams.Transport.Wire;

/// <summary>
/// Packs a field/value list into one MessagePack array of strings, the form the delayed-delivery
/// script unpacks with Redis's built-in <c>cmsgpack</c> before writing the entry to the stream.
/// </summary>
/// <remarks>Every element is written as str32 (0xdb): Lua strings are byte strings, so bodies stay exact.</remarks>
internal static class PackedFields
{
    public static byte[] Pack(RedisValue[] fields)
    {
        var size = 5;
        foreach (var field in fields)
        {
            size += 5 + checked((int)field.Length());
        }

        var buffer = new byte[size];
        buffer[0] = 0xdd;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)fields.Length);
        var offset = 5;
        foreach (var field in fields)
        {
            var bytes = (ReadOnlyMemory<byte>)field;
            buffer[offset] = 0xdb;
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(offset + 1), (uint)bytes.Length);
            bytes.Span.CopyTo(buffer.AsSpan(offset + 5));
            offset += 5 + bytes.Length;
        }

        return buffer;
    }
}
