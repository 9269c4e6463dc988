using System.Diagnostics;
using System.Globalization;

namespace RedisStreams.Testing;

/// <summary>
/// Kills a server when the process that started it is gone. Test hosts are often torn down without running
/// exit handlers, and a server left behind keeps its port and memory until the machine restarts.
/// </summary>
public static class OrphanGuard
{
    /// <summary>Starts a small shell that waits for this process to end, then kills <paramref name="child"/> and removes <paramref name="directory"/>.</summary>
    /// <param name="child">The server process.</param>
    /// <param name="directory">Its working directory, removed afterwards; <c>null</c> to keep.</param>
    public static void Watch(Process child, string? directory)
    {
        ArgumentNullException.ThrowIfNull(child);
        var parent = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var script = $"while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill -9 {child.Id} 2>/dev/null";
        if (directory is not null)
        {
            script += $"; rm -rf '{directory.Replace("'", string.Empty, StringComparison.Ordinal)}'";
        }

        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var watcher = Process.Start(start);
    }
}
