using System.Collections.Concurrent;

namespace RedisStreams.Rebus.Health;

/// <summary>
/// The Redis Streams transports alive in this process, for <see cref="RedisStreamsRebusHealthCheck"/>. Rebus builds
/// its transport inside its own container, out of reach of the application's; a transport enters here when it is
/// created and leaves when it is disposed (with its bus), whatever container the application uses.
/// </summary>
internal static class RunningTransports
{
    static readonly ConcurrentDictionary<RedisStreamsTransport, byte> Transports = new();

    public static void Add(RedisStreamsTransport transport) => Transports.TryAdd(transport, 0);

    public static void Remove(RedisStreamsTransport transport) => Transports.TryRemove(transport, out _);

    /// <summary>The transports receiving from <paramref name="inputQueueName"/>, or all when it is <c>null</c>.</summary>
    public static IReadOnlyList<RedisStreamsTransport> Matching(string? inputQueueName) =>
        [.. Transports.Keys
            .Where(t => inputQueueName is null || string.Equals(t.Address, inputQueueName, StringComparison.Ordinal))
            .OrderBy(t => t.Address ?? string.Empty, StringComparer.Ordinal)];
}
