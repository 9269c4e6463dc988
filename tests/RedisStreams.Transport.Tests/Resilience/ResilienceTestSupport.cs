using System.Diagnostics;
using System.Text;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Resilience;

/// <summary>Small helpers shared by the outage, durability, eviction and memory tests.</summary>
internal static class ResilienceTestSupport
{
    public static OutgoingMessage Message(string id, TimeSpan? delay = null) =>
        new(new Dictionary<string, string> { ["id"] = id }, Encoding.UTF8.GetBytes($"body of {id}")) { Delay = delay };

    /// <summary>Runs <paramref name="action"/> and returns the exception it failed with and how long that took; fails the test if it hangs past <paramref name="deadline"/>.</summary>
    public static async Task<(TException Exception, TimeSpan Elapsed)> FailsWithinAsync<TException>(Func<Task> action, TimeSpan deadline)
        where TException : Exception
    {
        var watch = Stopwatch.StartNew();
        var task = Assert.ThrowsAnyAsync<TException>(action);
        var finished = await Task.WhenAny(task, Task.Delay(deadline));
        Assert.True(finished == task, $"Still waiting after {deadline}: the call hangs instead of failing.");
        return (await task, watch.Elapsed);
    }

    /// <summary>
    /// Puts the server in an out-of-memory state for certain: fills it with filler keys, then lowers
    /// <c>maxmemory</c> below what it uses (at the limit itself, small allocations come and go and results flap).
    /// </summary>
    public static async Task MakeOutOfMemoryAsync(IServer server, IDatabase db)
    {
        var filler = new string('x', 10_000);
        for (var i = 0; i < 200; i++)
        {
            await db.StringSetAsync($"filler:{i}", filler);
        }

        var used = UsedMemory(await server.InfoRawAsync("memory"));
        await server.ConfigSetAsync("maxmemory", (used - 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("probe", "1"));
        Assert.StartsWith("OOM", refused.Message, StringComparison.Ordinal);
    }

    static long UsedMemory(string? info) =>
        long.Parse((info ?? string.Empty).Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
