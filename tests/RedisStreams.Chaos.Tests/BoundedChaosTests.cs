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
        var exitCode = await ChaosRunner.RunAsync(output, TimeSpan.FromMinutes(6), "--framework", framework);

        Assert.True(exitCode == 0, $"The chaos run failed (exit {exitCode}); see the output.");
    }
}
