using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>
/// The chaos run's own redis-server, with every write fsynced to the append-only file, so it can be killed and
/// restarted on the same port and directory without losing an acknowledged write.
/// </summary>
internal sealed class ChaosRedis : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("redis-streams-chaos-").FullName;
    Process? _process;

    public int Port { get; } = FreePort();

    public string Connection => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        RedisStreams.Testing.OrphanGuard.Watch(_process, directory: null);
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                using var admin = await AdminAsync();
                await admin.GetDatabase().PingAsync();
                return;
            }
            catch (Exception e) when (e is SocketException or RedisException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not come up on port {Port}.");
    }

    /// <summary>Kills the server the hard way (no save, no goodbye) and starts it again from its append-only file.</summary>
    public async Task<TimeSpan> RestartAsync()
    {
        var clock = Stopwatch.StartNew();
        _process!.Kill();
        await _process.WaitForExitAsync();
        await StartAsync();
        return clock.Elapsed;
    }

    /// <summary>Pauses every client command for longer than the clients' timeouts.</summary>
    public async Task PauseAsync(TimeSpan pause)
    {
        using var admin = await AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("CLIENT", "PAUSE", (long)pause.TotalMilliseconds, "ALL");
    }

    public async Task<long> KillClientsAsync()
    {
        using var admin = await AdminAsync();
        var server = admin.GetServers()[0];
        return (long)await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            + (long)await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "yes");
    }

    public Task<ConnectionMultiplexer> AdminAsync() =>
        ConnectionMultiplexer.ConnectAsync($"{Connection},allowAdmin=true,abortConnect=false,connectTimeout=2000");

    static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
