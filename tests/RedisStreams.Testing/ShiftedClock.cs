using System.Globalization;

namespace RedisStreams.Testing;

/// <summary>
/// Runs a server with its wall clock shifted, through Debian's <c>libfaketime</c>, so tests can show which
/// machine's clock a computation uses. Only the wall clock moves; the monotonic clock stays real, so the
/// server's timeouts behave.
/// </summary>
/// <remarks>
/// libfaketime deadlocks inside jemalloc, which Debian's <c>redis-server</c> links dynamically (wolfcw/libfaketime
/// issue 130). glibc's <c>libc_malloc_debug.so</c>, preloaded first, puts glibc's allocator in front of jemalloc,
/// and libfaketime then initialises normally.
/// </remarks>
public static class ShiftedClock
{
    /// <summary>The environment that starts a process with its wall clock <paramref name="offset"/> away from the machine's.</summary>
    /// <exception cref="InvalidOperationException">libfaketime or glibc's malloc debug library is not installed.</exception>
    public static IReadOnlyDictionary<string, string> Environment(TimeSpan offset)
    {
        var faketime = FindLibrary(Path.Combine("faketime", "libfaketime.so.1"))
            ?? throw new InvalidOperationException("libfaketime is not installed; it is needed to run a server with a shifted clock (apt-get install -y libfaketime, or scripts/ensure-redis.sh).");
        var mallocDebug = FindLibrary("libc_malloc_debug.so.0")
            ?? throw new InvalidOperationException("glibc's libc_malloc_debug.so.0 (glibc 2.34 or newer) is missing; libfaketime needs it in front of jemalloc to shift redis-server's clock.");
        var seconds = (long)offset.TotalSeconds;
        return new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = $"{mallocDebug} {faketime}",
            ["FAKETIME"] = (seconds >= 0 ? "+" : "-") + Math.Abs(seconds).ToString(CultureInfo.InvariantCulture),
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
        };
    }

    static string? FindLibrary(string relativePath)
    {
        foreach (var root in new[] { "/usr/lib", "/lib" })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            var direct = Path.Combine(root, relativePath);
            if (File.Exists(direct))
            {
                return direct;
            }

            foreach (var multiarch in Directory.EnumerateDirectories(root, "*-linux-gnu*"))
            {
                var candidate = Path.Combine(multiarch, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
