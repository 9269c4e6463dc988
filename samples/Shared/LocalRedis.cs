using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RedisStreams.Samples;

/// <summary>
/// The Redis a sample talks to: the one named by <c>REDIS_URL</c>, or else a <c>redis-server</c> started on
/// a free loopback port in a temporary directory for the length of the run.
/// </summary>
internal sealed class LocalRedis : IDisposable
{
    readonly Process? _process;
    readonly string? _directory;

    LocalRedis(string connection, Process? process, string? directory)
    {
        Connection = connection;
        _process = process;
        _directory = directory;
    }

    /// <summary>The connection string or URI to give the transport.</summary>
    public string Connection { get; }

    /// <summary>The port of a server this sample started; 0 for the one named by REDIS_URL.</summary>
    public int Port { get; private init; }

    public static async Task<LocalRedis> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("REDIS_URL");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Console.WriteLine("Using the Redis named by REDIS_URL.");
            return new LocalRedis(configured, null, null);
        }

        return await StartOwnAsync();
    }

    /// <summary>Starts a redis-server of the sample's own, whatever REDIS_URL says, with extra settings.</summary>
    public static async Task<LocalRedis> StartOwnAsync(params string[] extraArguments)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("redis-streams-sample-").FullName;
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no" }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("REDIS_URL is not set and redis-server is not installed: install it (apt-get install -y redis-server) or set REDIS_URL=redis://host:6379.");
        }

        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                Console.WriteLine($"Started a local redis-server on port {port}.");
                return new LocalRedis($"redis://127.0.0.1:{port}", process, directory) { Port = port };
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill();
        throw new InvalidOperationException($"redis-server did not start listening on port {port}.");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
