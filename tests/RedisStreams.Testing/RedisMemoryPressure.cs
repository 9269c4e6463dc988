using System.Globalization;
using StackExchange.Redis;

namespace RedisStreams.Testing;

/// <summary>Puts a test server out of memory, for tests of what still works when Redis refuses writes.</summary>
public static class RedisMemoryPressure
{
    /// <summary>
    /// Fills the server on <paramref name="port"/> with filler keys, then lowers <c>maxmemory</c> below what it
    /// uses, so it is out of memory for certain (at the limit itself small allocations come and go and results
    /// flap). Checks that a plain <c>SET</c> is refused with <c>OOM</c>.
    /// </summary>
    public static async Task MakeOutOfMemoryAsync(int port)
    {
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)},allowAdmin=true").ConfigureAwait(false);
        var db = admin.GetDatabase();
        var server = admin.GetServers()[0];
        var filler = new string('x', 10_000);
        for (var i = 0; i < 200; i++)
        {
            await db.StringSetAsync($"filler:{i}", filler).ConfigureAwait(false);
        }

        var info = await server.InfoRawAsync("memory").ConfigureAwait(false) ?? string.Empty;
        var used = long.Parse(info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
        await server.ConfigSetAsync("maxmemory", (used - 1_000_000).ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        try
        {
            await db.StringSetAsync("probe", "1").ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("OOM", StringComparison.Ordinal))
        {
            return;
        }

        throw new InvalidOperationException($"The server on port {port} still takes writes after maxmemory was lowered below its use.");
    }

    /// <summary>Lifts the memory limit of the server on <paramref name="port"/>, so it takes writes again.</summary>
    public static async Task ReleaseAsync(int port)
    {
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)},allowAdmin=true").ConfigureAwait(false);
        await admin.GetServers()[0].ConfigSetAsync("maxmemory", "0").ConfigureAwait(false);
    }
}
