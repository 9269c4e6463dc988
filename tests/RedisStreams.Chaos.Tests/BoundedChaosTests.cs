using System.Diagnostics;
using Xunit.Abstractions;

namespace RedisStreams.Chaos.Tests;

/// <summary>
/// Runs the chaos runner's bounded mode as separate processes: 10 000 messages, worker processes killed with
/// <c>kill -9</c>, connections killed, redis-server killed and restarted, Redis paused beyond the client timeout.
/// It passes only when nothing was lost, the poison landed where it belongs, nothing is left pending and no
/// consumer litter remains.
/// </summary>
public sealed class BoundedChaosTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("engine")]
    [InlineData("rebus")]
    [InlineData("masstransit")]
    public async Task Nothing_is_lost_under_kills_restarts_and_pauses(string framework)
    {
        var runner = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "RedisStreams.Chaos", "bin", Configuration, "net10.0", "RedisStreams.Chaos.dll");
        Assert.True(File.Exists(runner), $"The chaos runner was not built at {runner}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { runner, "run", "--framework", framework })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await process.WaitForExitAsync(timeout.Token);

        output.WriteLine(await stdout);
        var errors = (await stderr).Split('\n');
        output.WriteLine(string.Join('\n', errors.TakeLast(40)));
        Assert.True(process.ExitCode == 0, $"The chaos run failed (exit {process.ExitCode}); see the output.");
    }

#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif
}
