using System.Buffers.Binary;
using StackExchange.Redis;

namespace RedisStreams.Transport.Wire;

/// <summary>
/// Packs a field/value list into one MessagePack array of strings, the form the delayed-delivery
/// script unpacks with Redis's built-in <c>cmsgpack</c> before writing the entry to the stream, and reads such
/// lists back (written here, or by <c>cmsgpack.pack</c> in a script).
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

    /// <summary>Reads a packed list of field names and values: one MessagePack array of strings (or binaries), nothing after it.</summary>
    /// <exception cref="FormatException">The bytes are not such a list, or it is empty or has an odd number of elements.</exception>
    public static RedisValue[] Unpack(ReadOnlySpan<byte> packed)
    {
        var offset = 0;
        var count = ReadHeader(packed, ref offset, isArray: true);

        // Every element takes at least one byte: a count beyond that is a lie, not a reason to allocate.
        if (count > packed.Length - offset)
        {
            throw new FormatException($"The packed list claims {count} elements but has only {packed.Length - offset} bytes left.");
        }

        if (count == 0 || count % 2 == 1)
        {
            throw new FormatException($"The packed list holds {count} values, not field/value pairs.");
        }

        var fields = new RedisValue[count];
        for (var i = 0; i < count; i++)
        {
            var length = ReadHeader(packed, ref offset, isArray: false);
            if (length > packed.Length - offset)
            {
                throw new FormatException($"Element {i} of the packed list runs past its end.");
            }

            fields[i] = packed.Slice(offset, (int)length).ToArray();
            offset += (int)length;
        }

        if (offset != packed.Length)
        {
            throw new FormatException($"{packed.Length - offset} bytes follow the packed list.");
        }

        return fields;
    }

    /// <summary>Reads an array header (element count) or a string/binary header (byte length).</summary>
    static long ReadHeader(ReadOnlySpan<byte> packed, ref int offset, bool isArray)
    {
        if (offset >= packed.Length)
        {
            throw new FormatException("The packed list ends early.");
        }

        var marker = packed[offset++];
        var (fixedBase, fixedMask, one, two, four) = isArray
            ? (0x90, 0x0f, -1, 0xdc, 0xdd)
            : (0xa0, 0x1f, 0xd9, 0xda, 0xdb);
        if ((marker & ~fixedMask) == fixedBase)
        {
            return marker & fixedMask;
        }

        var width = marker == one || (!isArray && marker == 0xc4) ? 1
            : marker == two || (!isArray && marker == 0xc5) ? 2
            : marker == four || (!isArray && marker == 0xc6) ? 4
            : throw new FormatException($"Byte 0x{marker:x2} at {offset - 1} is not a MessagePack {(isArray ? "array" : "string")} header.");
        if (packed.Length - offset < width)
        {
            throw new FormatException("The packed list ends inside a header.");
        }

        long value = width switch
        {
            1 => packed[offset],
            2 => BinaryPrimitives.ReadUInt16BigEndian(packed[offset..]),
            _ => BinaryPrimitives.ReadUInt32BigEndian(packed[offset..]),
        };
        offset += width;
        return value;
    }
}
