using System.Diagnostics;
using System.Net.Sockets;

namespace RedisStreams.Testing;

/// <summary>
/// A <c>redis-server</c> child process on loopback, killed when the test process exits. It runs in its own
/// temporary directory, removed with it, or in a directory the caller keeps (to restart from its files).
/// </summary>
public sealed class RedisServerProcess : IDisposable
{
    readonly Process _process;
    readonly string _directory;
    readonly bool _ownsDirectory;

    RedisServerProcess(Process process, string directory, bool ownsDirectory, int port)
    {
        _process = process;
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        Port = port;
        Endpoint = new RedisEndpoint($"127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}", isCluster: false, $"redis-server on port {port}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>The directory it runs in (its files, its log).</summary>
    public string Directory => _directory;

    /// <summary>The server as a test endpoint: connections and an admin connection that reconnect by themselves.</summary>
    public RedisEndpoint Endpoint { get; }

    /// <summary>Starts a server in a temporary directory of its own with the given extra arguments and waits until it answers.</summary>
    public static Task<RedisServerProcess> StartAsync(int port, params string[] extraArguments) =>
        StartAsync(port, directory: null, environment: null, extraArguments);

    /// <summary>
    /// Starts a server in a temporary directory of its own with extra environment variables (e.g.
    /// <see cref="ShiftedClock.Environment"/>) and waits until it answers.
    /// </summary>
    public static Task<RedisServerProcess> StartWithEnvironmentAsync(int port, IReadOnlyDictionary<string, string> environment, params string[] extraArguments) =>
        StartAsync(port, directory: null, environment, extraArguments);

    /// <summary>
    /// Starts a server in <paramref name="directory"/>, which stays when the server is killed or disposed, so a
    /// new server there replays its files. Extra arguments come last and so override the defaults (no
    /// persistence, quiet log).
    /// </summary>
    public static Task<RedisServerProcess> StartInAsync(int port, string directory, params string[] extraArguments) =>
        StartAsync(port, directory, environment: null, extraArguments);

    static Task<RedisServerProcess> StartAsync(int port, string? directory, IReadOnlyDictionary<string, string>? environment, string[] extraArguments)
    {
        var binary = Tools.Find("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed. Install it (Debian/Ubuntu: apt-get install -y redis-server) or set REDIS_STREAMS_TEST_REDIS to a Redis to test against.");
        string[] defaults = ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning"];
        return LaunchAsync(binary, port, directory, environment, dir => [.. defaults, "--dir", dir, .. extraArguments]);
    }

    /// <summary>
    /// Starts a <c>redis-sentinel</c> on <paramref name="port"/> that monitors the primary named in
    /// <paramref name="configuration"/> (lines of a sentinel.conf: <c>sentinel monitor ...</c> and the like). Sentinel
    /// rewrites its configuration file, so it lives in the sentinel's own temporary directory.
    /// </summary>
    public static Task<RedisServerProcess> StartSentinelAsync(int port, IEnumerable<string> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var binary = Tools.Find("redis-sentinel")
            ?? throw new InvalidOperationException("redis-sentinel is not installed. Install it (Debian/Ubuntu: apt-get install -y redis-sentinel, or run scripts/ensure-redis.sh).");
        var lines = configuration.ToList();
        return LaunchAsync(binary, port, directory: null, environment: null, dir =>
        {
            var file = Path.Combine(dir, "sentinel.conf");
            File.WriteAllLines(file, [
                $"port {port.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "bind 127.0.0.1", "protected-mode no", "daemonize no", "loglevel warning", $"dir {dir}",
                .. lines]);
            return [file];
        });
    }

    static async Task<RedisServerProcess> LaunchAsync(string binary, int port, string? directory, IReadOnlyDictionary<string, string>? environment, Func<string, string[]> arguments)
    {
        var ownsDirectory = directory is null;
        directory ??= System.IO.Directory.CreateTempSubdirectory("redis-streams-test-").FullName;
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var argument in arguments(directory))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        OrphanGuard.Watch(process, ownsDirectory ? directory : null);
        var server = new RedisServerProcess(process, directory, ownsDirectory, port);
        await server.WaitUntilListeningAsync().ConfigureAwait(false);
        return server;
    }

    async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} on port {Port} exited at start with code {_process.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"redis-server on port {Port} did not start listening within 20 s.");
    }

    /// <summary>Kills the server the hard way (no save, no goodbye), as a crash would; its directory stays.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Kills the server and removes its directory when it made that directory itself.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
