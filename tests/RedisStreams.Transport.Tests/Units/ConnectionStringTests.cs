using System.Net;
using RedisStreams.Transport.Connection;

namespace RedisStreams.Transport.Tests.Units;

public sealed class ConnectionStringTests
{
    [Fact]
    public void A_plain_redis_uri_gives_host_port_and_no_tls()
    {
        var options = RedisConnectionString.Parse("redis://cache.local:6380");
        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(("cache.local", 6380), (endpoint.Host, endpoint.Port));
        Assert.False(options.Ssl);
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public void User_password_and_database_are_read_and_unescaped()
    {
        var options = RedisConnectionString.Parse("redis://app:p%40ss%3Aword@localhost/3");
        Assert.Equal("app", options.User);
        Assert.Equal("p@ss:word", options.Password);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal(6379, ((DnsEndPoint)options.EndPoints[0]).Port);
    }

    [Fact]
    public void A_password_without_user_is_the_default_user_password()
    {
        var options = RedisConnectionString.Parse("redis://:secret@localhost:6379");
        Assert.Null(options.User);
        Assert.Equal("secret", options.Password);
    }

    [Fact]
    public void Rediss_turns_tls_on_with_the_host_as_server_name()
    {
        var options = RedisConnectionString.Parse("rediss://redis.example.com:6380?timeout=2500");
        Assert.True(options.Ssl);
        Assert.Equal("redis.example.com", options.SslHost);
        Assert.Equal(2500, options.AsyncTimeout);
    }

    [Fact]
    public void StackExchange_configuration_strings_pass_through()
    {
        var options = RedisConnectionString.Parse("localhost:6379,localhost:6380,password=secret,ssl=true");
        Assert.Equal(2, options.EndPoints.Count);
        Assert.Equal("secret", options.Password);
        Assert.True(options.Ssl);
    }

    [Theory]
    [InlineData("redis://user:hunter2@host:notaport", "the port 'notaport' is not a number from 1 to 65535")]
    [InlineData("redis://host:abc", "the port 'abc' is not a number from 1 to 65535")]
    [InlineData("redis://host:70000", "the port '70000' is not a number from 1 to 65535")]
    [InlineData("redis://localhost:6379?timout=5000", "the query option 'timout' is not supported. Did you mean 'timeout'?")]
    [InlineData("redis://user:hunter2@bad host:6379", "the host 'bad host' is not a valid host name")]
    [InlineData("redis://[::1:6379", "no closing ']'")]
    [InlineData("redis://user:hunter2@host:6379#x", "'#' fragment")]
    [InlineData("redis://host:6379?clientName=", "'clientName' is empty")]
    [InlineData("REDIS://user:hunter2@:6379", "names no host")]
    [InlineData("http://user:hunter2@host:6379", "scheme 'http' is not supported")]
    [InlineData("redis://user:hunter2@host:6379/abc", "is not a database number")]
    [InlineData("redis://user:hunter2@host:6379?colour=blue", "query option 'colour' is not supported")]
    [InlineData("redis://user:hunter2@host:6379?timeout=-5", "positive number of milliseconds")]
    [InlineData("host:6379,password=hunter2,bogusKeyword=1", "bogusKeyword")]
    [InlineData("", "it is empty")]
    public void Bad_connections_fail_with_what_to_fix_and_never_the_password(string connection, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisConnectionString.Parse(connection));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_addresses_and_upper_case_schemes_are_read()
    {
        var options = RedisConnectionString.Parse("REDISS://[::1]:6380");
        var endpoint = Assert.Single(options.EndPoints);
        Assert.Equal(6380, endpoint is IPEndPoint ip ? ip.Port : ((DnsEndPoint)endpoint).Port);
        Assert.True(options.Ssl);
    }

    [Fact]
    public void The_public_parser_is_the_engines_own()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisStreamsClient.ParseConnection("redis://localhost:6379?timout=5000"));
        Assert.Contains("Did you mean 'timeout'?", error.Message, StringComparison.Ordinal);
        Assert.Equal(2500, RedisStreamsClient.ParseConnection("redis://localhost?timeout=2500").AsyncTimeout);
    }

    [Fact]
    public void Redaction_hides_secrets_in_both_forms()
    {
        Assert.Equal("redis://***@host:6379", RedisConnectionString.Redact("redis://u:hunter2@host:6379"));
        Assert.Equal("host:6379,password=***,ssl=true", RedisConnectionString.Redact("host:6379,password=hunter2,ssl=true"));
    }

    [Fact]
    public async Task Connecting_with_a_bad_uri_fails_before_any_network_call()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RedisStreamsClient.ConnectAsync("redis://u:hunter2@:6379"));
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
