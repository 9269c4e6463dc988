using System.Text;
using RedisStreams.Testing;

namespace RedisStreams.Transport.Tests.Security;

public sealed class TlsTests : IAsyncLifetime
{
    const string Password = "tls-hunter2-secret";
    TlsRedisServer _server = null!;

    public async Task InitializeAsync() => _server = await TlsRedisServer.StartAsync(Password);

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Messages_flow_over_rediss_with_certificate_validation_on()
    {
        await using var client = await RedisStreamsClient.ConnectAsync(
            $"rediss://:{Password}@127.0.0.1:{_server.Port}?ca={Uri.EscapeDataString(_server.CaPath)}",
            new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() });
        await client.SendAsync("secure", new OutgoingMessage(new Dictionary<string, string> { ["id"] = "1" }, Encoding.UTF8.GetBytes("over tls")));

        await using var receiver = client.CreateReceiver("secure");
        await receiver.StartAsync();
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(message);
        Assert.Equal("over tls", Encoding.UTF8.GetString(message.Body.Span));
        await receiver.AckAsync(message);
    }

    [Fact]
    public async Task A_certificate_from_an_untrusted_ca_fails_with_a_clear_error()
    {
        var logs = new CapturingLoggerFactory();
        var error = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() => RedisStreamsClient.ConnectAsync(
            $"rediss://:{Password}@127.0.0.1:{_server.Port}?ca={Uri.EscapeDataString(_server.UntrustedCaPath)}&connectTimeout=10000",
            loggerFactory: logs));

        Assert.Contains("TLS certificate", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{_server.Port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_on_a_password_protected_server_fails_clearly()
    {
        var logs = new CapturingLoggerFactory();
        const string wrong = "not-the-tls-hunter2";
        var error = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() => RedisStreamsClient.ConnectAsync(
            $"rediss://:{wrong}@127.0.0.1:{_server.Port}?ca={Uri.EscapeDataString(_server.CaPath)}&connectTimeout=10000",
            loggerFactory: logs));

        Assert.Contains("refused the connection while authenticating", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_ca_file_is_a_configuration_error()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RedisStreamsClient.ConnectAsync($"rediss://:{Password}@127.0.0.1:{_server.Port}?ca=/nowhere/ca.pem"));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }
}
