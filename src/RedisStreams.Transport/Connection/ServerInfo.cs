using StackExchange.Redis;

namespace RedisStreams.Transport.Connection;

/// <summary>
/// Reads <c>INFO</c> sections of one server. Sent as a plain command: StackExchange.Redis counts
/// <c>IServer.Info</c> as an admin operation and refuses it on connections without <c>allowAdmin</c>, which users
/// rarely enable and the engine never does.
/// </summary>
internal static class ServerInfo
{
    /// <summary>The text of one section (<c>memory</c>, <c>server</c>, <c>replication</c>, ...).</summary>
    public static async Task<string> ReadAsync(IServer server, string section) =>
        (string?)await server.ExecuteAsync("INFO", section).ConfigureAwait(false) ?? string.Empty;

    /// <summary>The value of a <c>name:value</c> line of <c>INFO</c> text, or <c>null</c> when there is none.</summary>
    public static string? Field(string info, string name)
    {
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] == ':')
            {
                return line[(name.Length + 1)..].Trim();
            }
        }

        return null;
    }
}
