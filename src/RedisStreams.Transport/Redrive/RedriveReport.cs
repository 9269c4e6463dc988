namespace RedisStreams.Transport;

/// <summary>What a redrive did (or, in a dry run, would do), message by message.</summary>
public sealed record RedriveReport
{
    /// <summary>The stream messages were taken from: a queue's dead-letter stream or an error queue.</summary>
    public required string Source { get; init; }

    /// <summary>Whether this was a dry run: nothing was moved.</summary>
    public required bool DryRun { get; init; }

    /// <summary>Messages moved (in a dry run: that would move), interrupted moves completed included.</summary>
    public required long Moved { get; init; }

    /// <summary>Moved messages per destination queue.</summary>
    public required IReadOnlyDictionary<string, long> MovedTo { get; init; }

    /// <summary>Messages left where they are, each with the reason in <see cref="Items"/>.</summary>
    public required long Skipped { get; init; }

    /// <summary>Requested ids that are not in the source (already moved, or never there).</summary>
    public required long NotFound { get; init; }

    /// <summary>Moves an earlier, interrupted redrive had started and this one completed.</summary>
    public required long Resumed { get; init; }

    /// <summary>One line per message, in the order handled; at most <see cref="MaxItems"/>.</summary>
    public required IReadOnlyList<RedriveItem> Items { get; init; }

    /// <summary>Whether <see cref="Items"/> was cut at <see cref="MaxItems"/> (the counts are exact either way).</summary>
    public required bool ItemsTruncated { get; init; }

    /// <summary>The most items a report lists.</summary>
    public const int MaxItems = 10_000;
}

/// <summary>What happened to one message in a redrive.</summary>
/// <param name="EntryId">Its id in the source stream.</param>
/// <param name="Destination">The queue it went (or would go) to; <c>null</c> when none could be found.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="NewEntryId">Its id in the destination, when moved.</param>
/// <param name="Note">Why it was skipped, or a warning about the move.</param>
public sealed record RedriveItem(string EntryId, string? Destination, RedriveOutcome Outcome, string? NewEntryId = null, string? Note = null);

/// <summary>What happened to one message in a redrive.</summary>
public enum RedriveOutcome
{
    /// <summary>Moved to its destination.</summary>
    Moved,

    /// <summary>Dry run: would be moved to its destination.</summary>
    WouldMove,

    /// <summary>An interrupted move of an earlier redrive, completed now.</summary>
    Resumed,

    /// <summary>Left where it is; the note says why.</summary>
    Skipped,

    /// <summary>A requested id that is not in the source.</summary>
    NotFound,
}
