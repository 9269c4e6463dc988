using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisStreams.Testing;
using RedisStreams.Transport.Health;

namespace RedisStreams.Transport.Tests.Security;

/// <summary>What a user sees when Redis is not where the configuration says, or not what it says.</summary>
public sealed class ConnectionDiagnosticsTests
{
    [Fact]
    public async Task A_tls_connection_to_a_plain_server_says_the_server_does_not_speak_tls()
    {
        using var server = await RedisServerProcess.StartAsync(FreePorts.Next());

        var error = await Assert.ThrowsAsync<RedisStreamsConnectionException>(() => RedisStreamsClient.ConnectAsync($"rediss://:hunter2@127.0.0.1:{server.Port}"));

        Assert.Contains("does not speak TLS", error.Message, StringComparison.Ordinal);
        Assert.Contains("redis://", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_first_connect_is_a_warning_naming_the_endpoint()
    {
        var port = FreePorts.Next();
        var logs = new CapturingLoggerFactory();

        // Nothing listens there: the client is created anyway and keeps reconnecting in the background.
        await using var client = await RedisStreamsClient.ConnectAsync($"redis://:hunter2@127.0.0.1:{port}", loggerFactory: logs);

        Assert.Contains(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("[1070]", StringComparison.Ordinal) &&
                                            line.Contains($"127.0.0.1:{port}", StringComparison.Ordinal) && line.Contains("UnableToConnect", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_first_connect_that_times_out_without_a_failure_line_is_still_a_warning_naming_the_endpoint()
    {
        // A listener that accepts and never answers: the connect gives up on its timeout, and StackExchange.Redis's
        // connect log never says "Connection failed" (as happens to a refused connect on a busy machine, where the
        // failure is reported after the connect gave up).
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var logs = new CapturingLoggerFactory();

        await using var client = await RedisStreamsClient.ConnectAsync($"127.0.0.1:{port},password=hunter2,connectTimeout=500,connectRetry=1", loggerFactory: logs);

        Assert.Contains(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("[1070]", StringComparison.Ordinal) &&
                                            line.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Contains("hunter2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")] // a host name, whose EndPoint.ToString() reads "Unspecified/localhost:port"
    public async Task A_lost_connection_is_one_warning_naming_the_endpoint_as_written_and_its_return_is_logged(string host)
    {
        var port = FreePorts.Next();
        var logs = new CapturingLoggerFactory();
        var server = await RedisServerProcess.StartAsync(port);
        await using var client = await RedisStreamsClient.ConnectAsync($"redis://{host}:{port}", loggerFactory: logs);
        try
        {
            await server.KillAsync();
            Assert.True(await WaitForAsync(() => logs.Lines.Any(l => l.Contains("[1071]", StringComparison.Ordinal))), "no warning when the connection was lost");
            var health = await new RedisStreamsHealthCheck(client).CheckHealthAsync(new HealthCheckContext());
            Assert.Contains($"{host}:{port}", health.Description, StringComparison.Ordinal);
            Assert.Equal($"{host}:{port}", health.Data["redis.endpoints"]);

            // Several reconnect attempts fail while the server is down; they add no further warnings.
            await Task.Delay(TimeSpan.FromSeconds(3));
            server.Dispose();
            server = await RedisServerProcess.StartAsync(port);
            Assert.True(await WaitForAsync(() => logs.Lines.Any(l => l.Contains("[1072]", StringComparison.Ordinal))), "no message when the connection came back");

            var lost = logs.Lines.Where(l => l.Contains("[1071]", StringComparison.Ordinal)).ToList();
            var line = Assert.Single(lost);
            Assert.StartsWith("Warning", line, StringComparison.Ordinal);
            Assert.Contains($"{host}:{port}", line, StringComparison.Ordinal);
            Assert.Contains(logs.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains("[1072]", StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Lines, l => l.Contains("Unspecified/", StringComparison.Ordinal));
        }
        finally
        {
            server.Dispose();
        }
    }

    static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
