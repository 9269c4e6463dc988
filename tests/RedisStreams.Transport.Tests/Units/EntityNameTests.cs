using RedisStreams.Transport.Naming;

namespace RedisStreams.Transport.Tests.Units;

public sealed class EntityNameTests
{
    [Theory]
    [InlineData("orders", "orders")]
    [InlineData("submit-order_v2.queue@host/x", "submit-order_v2.queue@host/x")]
    [InlineData("заказы", "заказы")]
    [InlineData("a{b}c", "a%7Bb%7Dc")]
    [InlineData("a:b", "a%3Ab")]
    [InlineData("*?[]", "%2A%3F%5B%5D")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("with space", "with%20space")]
    [InlineData("100%", "100%25")]
    [InlineData("rocket🚀", "rocket%F0%9F%9A%80")]
    public void Names_are_kept_readable_and_dangerous_characters_escaped(string name, string expected) =>
        Assert.Equal(expected, EntityName.Escape(name, "queue"));

    [Fact]
    public void Escaping_is_injective_so_no_two_names_share_a_key()
    {
        var names = new[] { "a{b", "a%7Bb", "a%257Bb", "a:b", "a%3Ab", "a}b", "a b", "a%20b", "a", "A" };
        var escaped = names.Select(n => EntityName.Escape(n, "queue")).ToList();
        Assert.Equal(names.Length, escaped.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void No_name_can_break_out_of_its_hash_tag_or_reach_another_queue()
    {
        var keys = new QueueKeys("rs", "x}:{y");
        Assert.Equal("rs:{x%7D%3A%7By}", keys.Stream.ToString());
        Assert.Equal(1, keys.Stream.ToString().Count(c => c == '{'));
        Assert.Equal(1, keys.Stream.ToString().Count(c => c == '}'));
        Assert.NotEqual(new QueueKeys("rs", "x").DeadLetter, new QueueKeys("rs", "x}:dead-letter").Stream);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    public void Empty_names_are_refused_with_a_message_that_says_what_to_do(string name, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => EntityName.Escape(name, "queue"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Give the queue a name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Very_long_names_are_refused_with_the_limit()
    {
        var error = Assert.Throws<ArgumentException>(() => EntityName.Escape(new string('q', 10_000), "topic"));
        Assert.Contains("10000 characters", error.Message, StringComparison.Ordinal);
        Assert.Contains($"limit is {EntityName.MaxLength}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpaired_surrogates_are_refused() =>
        Assert.Throws<ArgumentException>(() => EntityName.Escape("bad\uD800name", "queue"));

    [Theory]
    [InlineData("my{app")]
    [InlineData("my app")]
    [InlineData("app*")]
    [InlineData("")]
    public void Key_prefixes_that_could_break_hash_tags_or_match_other_keys_are_refused(string prefix) =>
        Assert.Throws<ArgumentException>(() => new RedisStreamsOptions { KeyPrefix = prefix });

    [Fact]
    public void Prefixes_may_be_namespaced_with_colons() =>
        Assert.Equal("billing:prod", new RedisStreamsOptions { KeyPrefix = "billing:prod" }.KeyPrefix);

    [Theory]
    [InlineData("orders")]
    [InlineData("a{b}c")]
    [InlineData("100%")]
    [InlineData("rocket🚀 with space")]
    [InlineData("заказы:{x}")]
    [InlineData("line\nbreak")]
    public void Unescaping_gives_back_every_name(string name)
    {
        Assert.True(EntityName.TryUnescape(EntityName.Escape(name, "queue"), out var back));
        Assert.Equal(name, back);
    }

    [Theory]
    [InlineData("")]
    [InlineData("100%")]
    [InlineData("%zz")]
    [InlineData("%7b")]
    [InlineData("%61")]
    [InlineData("%FF")]
    public void Text_escaping_cannot_produce_is_not_taken_for_a_name(string escaped) =>
        Assert.False(EntityName.TryUnescape(escaped, out _));

    [Theory]
    [InlineData("rs:{orders}", "orders")]
    [InlineData("rs:{orders}:dead-letter", "orders")]
    [InlineData("rs:{a%7Bb}:delayed-data", "a{b")]
    [InlineData("rs:{orders}:redrive", "orders")]
    public void Keys_of_a_queue_name_their_queue(string key, string queue)
    {
        Assert.True(QueueKeys.TryParse("rs", key, out var parsed));
        Assert.Equal(queue, parsed);
    }

    [Theory]
    [InlineData("rs:{orders}:something-else")]
    [InlineData("rs:topic:{orders}:queues")]
    [InlineData("rsx:{orders}")]
    [InlineData("rs:{}")]
    [InlineData("rs:{orders")]
    [InlineData("other:{orders}")]
    public void Other_keys_are_not_queues(string key) => Assert.False(QueueKeys.TryParse("rs", key, out _));
}
