using System.Text;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Units;

public sealed class WireFormatTests
{
    [Fact]
    public void Headers_starting_with_dollar_get_one_more_and_decode_back()
    {
        var message = new OutgoingMessage(new Dictionary<string, string> { ["$body"] = "h", ["plain"] = "p" }, Encoding.UTF8.GetBytes("b"))
        {
            TimeToLive = TimeSpan.FromSeconds(2),
        };
        var fields = StreamFields.Encode(message);

        Assert.Equal(["$$body", "h", "plain", "p", "$ttl", "2000", "$body", "b"], fields.Select(f => (string)f!));
        Assert.True(StreamFields.TryDecode([.. fields.Select(f => RedisResult.Create(f))], out var headers, out var body, out var transport, out _));
        Assert.Equal(message.Headers.OrderBy(h => h.Key), headers.OrderBy(h => h.Key));
        Assert.Equal("b", Encoding.UTF8.GetString(body.Span));
        Assert.Equal("2000", transport["ttl"]);
    }

    [Fact]
    public void Entries_without_a_body_are_not_ours()
    {
        Assert.False(StreamFields.TryDecode([RedisResult.Create((RedisValue)"foo"), RedisResult.Create((RedisValue)"bar")], out _, out _, out _, out var reason));
        Assert.Contains("no '$body' field", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Packed_fields_are_a_messagepack_array_of_str32()
    {
        var packed = PackedFields.Pack(["ab", new byte[] { 0, 255 }]);
        Assert.Equal(new byte[] { 0xdd, 0, 0, 0, 2, 0xdb, 0, 0, 0, 2, (byte)'a', (byte)'b', 0xdb, 0, 0, 0, 2, 0, 255 }, packed);
    }

    [Fact]
    public void Options_refuse_values_that_would_break_delivery()
    {
        Assert.Contains("at least one second", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisStreamsOptions { ClaimIdleTime = TimeSpan.FromMilliseconds(10) }).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisStreamsOptions { PrefetchCount = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisStreamsOptions { MaxDeliveryCount = -1 });
        var options = new RedisStreamsOptions { IdlePollInterval = TimeSpan.FromSeconds(10), ConsumerExpiry = TimeSpan.FromSeconds(15) };
        Assert.Contains("twice IdlePollInterval", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }
}
