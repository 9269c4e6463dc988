using System.Diagnostics;
using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>
/// The chaos run's own redis-server. By default every write is fsynced to the append-only file, so it can be
/// killed and restarted on the same port and directory without losing an acknowledged write; a scenario can
/// ask for no persistence (a restart comes back empty) and more server arguments.
/// </summary>
internal sealed class ChaosRedis(bool persistent = true, params string[] serverArguments) : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("redis-streams-chaos-").FullName;
    RedisServerProcess? _server;

    public int Port { get; } = FreePorts.Next();

    public string Connection => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        string[] persistence = persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : [];
        _server = await RedisServerProcess.StartInAsync(Port, _directory, [.. persistence, .. serverArguments]);

        // Listening is not yet serving: after a restart Redis answers LOADING until the AOF is replayed.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var admin = await AdminAsync();
                await admin.GetDatabase().PingAsync();
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server on port {Port} did not serve commands after loading its append-only file.");
    }

    /// <summary>Kills the server the hard way (no save, no goodbye) and starts it again from its append-only file (or empty, without persistence).</summary>
    public async Task<TimeSpan> RestartAsync()
    {
        var clock = Stopwatch.StartNew();
        await _server!.KillAsync();
        _server.Dispose();
        await StartAsync();
        return clock.Elapsed;
    }

    /// <summary>Kills the server the hard way, as a crash would; <see cref="StartAsync"/> brings it back.</summary>
    public async Task KillAsync()
    {
        await _server!.KillAsync();
        _server.Dispose();
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

    public void Dispose()
    {
        _server?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
