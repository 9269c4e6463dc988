using System.Diagnostics;
using Xunit.Abstractions;

namespace RedisStreams.Chaos.Tests;

/// <summary>Starts the chaos runner as a separate process, as an operator would, and shows its output in the test's.</summary>
internal static class ChaosRunner
{
    /// <summary>Runs <c>RedisStreams.Chaos run ...</c> with <paramref name="arguments"/>; returns its exit code (0: the run passed).</summary>
    public static async Task<int> RunAsync(ITestOutputHelper output, TimeSpan within, params string[] arguments)
    {
        var runner = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "RedisStreams.Chaos", "bin", Configuration, "net10.0", "RedisStreams.Chaos.dll");
        Assert.True(File.Exists(runner), $"The chaos runner was not built at {runner}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { runner, "run" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            output.WriteLine($"The chaos run did not finish within {within}; killed.");
        }

        output.WriteLine(await stdout);
        var errors = (await stderr).Split('\n');
        output.WriteLine(string.Join('\n', errors.TakeLast(40)));
        return process.ExitCode;
    }

#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif
}
