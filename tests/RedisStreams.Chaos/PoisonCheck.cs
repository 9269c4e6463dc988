using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>
/// Checks where the injected failures ended up in a framework run: the engine's dead-letter stream and the
/// framework's own error queue must hold exactly the injected poison and the malformed entries, nothing else.
/// </summary>
internal static class PoisonCheck
{
    /// <param name="db">The chaos Redis.</param>
    /// <param name="streamKey">The work queue's stream key (its dead-letter stream is next to it).</param>
    /// <param name="errorQueueKey">The framework's error queue stream.</param>
    /// <param name="errorQueueName">How the report names the error queue.</param>
    /// <param name="malformedEntries">How many entries were written with redis-cli.</param>
    /// <param name="killerMayBeInErrorQueue">Whether the framework's own delivery-count check may route the message that kills its worker.</param>
    public static async Task<IReadOnlyList<string>> VerifyAsync(IDatabase db, string streamKey, string errorQueueKey, string errorQueueName, int malformedEntries, bool killerMayBeInErrorQueue)
    {
        var problems = new List<string>();
        var dead = await db.StreamRangeAsync($"{streamKey}:dead-letter");
        var errors = await db.StreamRangeAsync(errorQueueKey);
        static int Count(StreamEntry[] entries, string id) => entries.Count(e => Body(e).Contains($"\"{id}\"", StringComparison.Ordinal));

        var killer = Count(dead, ChaosSettings.PoisonDie) + (killerMayBeInErrorQueue ? Count(errors, ChaosSettings.PoisonDie) : 0);
        if (killer != 1)
        {
            problems.Add($"the message that kills its worker should be dead-lettered once; found {killer}");
        }

        if (Count(errors, ChaosSettings.PoisonThrow) != 1)
        {
            problems.Add($"the message whose handler always throws should be in {errorQueueName} once; found {Count(errors, ChaosSettings.PoisonThrow)}");
        }

        var malformed = dead.Count(e => ((string?)e.Values.FirstOrDefault(v => v.Name == "$dead-letter-reason").Value)?.StartsWith("malformed", StringComparison.Ordinal) == true);
        if (malformed != malformedEntries)
        {
            problems.Add($"{malformedEntries} malformed entries were written; {malformed} reached the dead-letter stream");
        }

        if (dead.Length + errors.Length != 2 + malformedEntries)
        {
            problems.Add($"{dead.Length} dead-lettered and {errors.Length} in {errorQueueName}; expected only the {2 + malformedEntries} injected");
        }

        return problems;
    }

    static string Body(StreamEntry entry) => (string?)entry.Values.FirstOrDefault(v => v.Name == "$body").Value ?? string.Empty;
}
