using System.Globalization;
using System.Text.RegularExpressions;
using RedisStreams.Transport.Scripts;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Units;

public sealed class PackedFieldsTests
{
    [Fact]
    public void What_pack_writes_unpacks_to_the_same_bytes()
    {
        RedisValue[] fields = ["name", new byte[] { 0, 255, 13, 10 }, string.Empty, new string('x', 70_000)];

        var unpacked = PackedFields.Unpack(PackedFields.Pack(fields));

        Assert.Equal(fields.Select(f => ((byte[])f!).ToArray()), unpacked.Select(f => (byte[])f!));
    }

    [Fact]
    public void The_compact_forms_cmsgpack_writes_are_read_too()
    {
        // fixarray of fixstr; array16 of str8 and str16; bin8, as cmsgpack.pack or other MessagePack writers emit them.
        Assert.Equal(["a", "bc"], Strings([0x92, 0xa1, (byte)'a', 0xa2, (byte)'b', (byte)'c']));
        Assert.Equal(["ab", "c"], Strings([0xdc, 0, 2, 0xd9, 2, (byte)'a', (byte)'b', 0xda, 0, 1, (byte)'c']));
        Assert.Equal(["k", "v"], Strings([0x92, 0xc4, 1, (byte)'k', 0xa1, (byte)'v']));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x91, 0xa1, (byte)'a' })] // one value, not a pair
    [InlineData(new byte[] { 0x90 })] // nothing at all
    [InlineData(new byte[] { 0x92, 0xa1, (byte)'a', 0xa5, (byte)'b' })] // a string runs past the end
    [InlineData(new byte[] { 0x92, 0xa1, (byte)'a', 0xa1, (byte)'b', 0x00 })] // a byte after the list
    [InlineData(new byte[] { 0xdd, 0xff, 0xff, 0xff, 0xff, 0xa1, (byte)'a' })] // claims four billion elements
    [InlineData(new byte[] { 0x92, 0x01, 0xa1, (byte)'b' })] // a number, not a string
    [InlineData(new byte[] { 0xc1, (byte)'n', (byte)'o' })] // not MessagePack
    public void Anything_else_is_refused_with_a_format_exception(byte[] packed)
    {
        Assert.Throws<FormatException>(() => PackedFields.Unpack(packed));
    }

    [Fact]
    public void The_scripts_and_the_client_agree_on_the_lua_limits()
    {
        Assert.Equal(OversizedEntries.MaxScriptFields, LuaConstant("MAX_SCRIPT_FIELDS"));
        Assert.Equal(OversizedEntries.IdsPerCall, LuaConstant("IDS_PER_CALL"));

        // Redis 7.0's unpack() returns at most 7,999 values; an XADD adds its name, key, id and ten dead-letter values.
        Assert.True(OversizedEntries.MaxScriptFields + 13 < 7999);
    }

    static string[] Strings(byte[] packed) => [.. PackedFields.Unpack(packed).Select(f => (string)f!)];

    static int LuaConstant(string name)
    {
        var match = Regex.Match(LuaScripts.Fetch, $@"local {name} = (\d+)");
        Assert.True(match.Success, $"{name} is not defined in prelude.lua");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
