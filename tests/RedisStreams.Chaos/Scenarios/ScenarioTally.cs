using System.Collections.Concurrent;

namespace RedisStreams.Chaos.Scenarios;

/// <summary>What one send came to: acknowledged, or failed with what the caller was told.</summary>
/// <param name="Started">When the send was started (runner clock).</param>
/// <param name="Acknowledged">Whether the stack returned without an exception.</param>
/// <param name="Failure">The exception the caller got (the transport's own type where one is in the chain).</param>
/// <param name="Queues">For engine publishes: how many queues the publish reached.</param>
internal sealed record SendResult(TimeSpan Started, bool Acknowledged, string? Failure, int? Queues);

/// <summary>Every send's outcome and the first time each id was consumed, as the run goes.</summary>
internal sealed class ScenarioTally
{
    public ConcurrentDictionary<string, SendResult> Sends { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, TimeSpan> FirstConsumed { get; } = new(StringComparer.Ordinal);

    /// <summary>How often each id was consumed, read from the ledgers at the end.</summary>
    public Dictionary<string, int> Counts { get; set; } = [];

    public int Sent => Sends.Count;

    public int Acknowledged => Sends.Values.Count(s => s.Acknowledged);

    public int Failed => Sends.Values.Count(s => !s.Acknowledged);

    public int Consumed => Sends.Keys.Count(Counts.ContainsKey);

    public IEnumerable<string> LostIds => Sends.Where(s => s.Value.Acknowledged && !Counts.ContainsKey(s.Key)).Select(s => s.Key);

    public int Lost => LostIds.Count();

    /// <summary>Sends the caller was told failed that were delivered all the same (written, not confirmed).</summary>
    public int FailedButDelivered => Sends.Count(s => !s.Value.Acknowledged && Counts.ContainsKey(s.Key));

    public int Duplicates => Sends.Keys.Sum(id => Math.Max(0, Counts.GetValueOrDefault(id) - 1));

    /// <summary>Engine publishes that found no subscribed queue.</summary>
    public int PublishedToNoQueue => Sends.Values.Count(s => s.Queues == 0);

    public string FailureKinds =>
        string.Join(", ", Sends.Values.Where(s => !s.Acknowledged).GroupBy(s => s.Failure).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
}
