using System.Diagnostics;
using RedisStreams.Testing;

namespace RedisStreams.Chaos;

/// <summary>A consumer running as its own operating-system process, killed and restarted at will.</summary>
internal sealed class WorkerProcess
{
    readonly ChaosSettings _settings;
    readonly string _connection;
    readonly string _prefix;
    readonly string _ledgerDirectory;
    readonly int _slot;

    // The watchdog restarts dead workers while the fault injector kills and restarts them: one at a time, or two
    // processes would share a slot and the one no longer tracked would outlive the run.
    readonly Lock _lifecycle = new();
    int _generation;

    public WorkerProcess(ChaosSettings settings, string connection, string prefix, string ledgerDirectory, int slot)
    {
        _settings = settings;
        _connection = connection;
        _prefix = prefix;
        _ledgerDirectory = ledgerDirectory;
        _slot = slot;
    }

    public Process? Process { get; private set; }

    public bool IsRunning => Process is { HasExited: false };

    /// <summary>The last line the worker wrote to its standard error, if any.</summary>
    public string? LastError { get; private set; }

    /// <summary>Starts the worker unless it is running already; tells whether it started one.</summary>
    public bool Start()
    {
        lock (_lifecycle)
        {
            if (IsRunning)
            {
                return false;
            }

            StartNew();
            return true;
        }
    }

    /// <summary><c>kill -9</c> and start again, with no chance for the watchdog to start one in between.</summary>
    public void KillAndRestart()
    {
        lock (_lifecycle)
        {
            KillHard();
            StartNew();
        }
    }

    void StartNew()
    {
        _generation++;
        // Started as "dotnet RedisStreams.Chaos.dll" (from the test suite) or as the app host itself.
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        }

        string[] arguments =
        [
            "worker", "--framework", _settings.Framework, "--redis", _connection, "--prefix", _prefix,
            "--ledger", Path.Combine(_ledgerDirectory, $"worker-{_slot}-{_generation}.ledger"),
            .. _settings.WorkerArguments(),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        Process = Process.Start(start)!;
        Process.OutputDataReceived += (_, _) => { };
        Process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                LastError = e.Data;
                Console.Error.WriteLine($"[worker {_slot}.{_generation}] {e.Data}");
            }
        };
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();

        // A runner that dies (or is killed by a timeout) must not leave workers behind, consuming CPU for ever.
        OrphanGuard.Watch(Process, directory: null);
    }

    /// <summary><c>kill -9</c>: no clean-up, no goodbye, whatever it held stays pending under its name.</summary>
    public void KillHard()
    {
        if (IsRunning)
        {
            Process!.Kill();
            Process.WaitForExit();
        }
    }

    /// <summary>SIGTERM, then waits for the worker to give back what it holds and exit.</summary>
    public async Task StopGracefullyAsync(TimeSpan within)
    {
        if (!IsRunning)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", Process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(within);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            KillHard();
        }
    }
}
