namespace RedisStreams.Transport.Wire;

/// <summary>What became of one entry staged in a queue's oversized hash (see <see cref="OversizedEntries"/>).</summary>
/// <param name="Outcome">Where it is now.</param>
/// <param name="EntryId">Its id in the stream, when this call wrote it.</param>
/// <param name="Problem">What went wrong, for the outcomes other than <see cref="StagedOutcome.Written"/> and <see cref="StagedOutcome.WrittenElsewhere"/>.</param>
internal readonly record struct StagedWrite(StagedOutcome Outcome, string? EntryId = null, string? Problem = null);

/// <summary>Where a staged entry is after an attempt to write it.</summary>
internal enum StagedOutcome
{
    /// <summary>In the stream, written by this call.</summary>
    Written,

    /// <summary>In the stream, written by this call, but fewer replicas than required confirmed it (durable mode).</summary>
    Unconfirmed,

    /// <summary>No longer staged: another writer wrote it (or an earlier attempt of this one whose reply was lost).</summary>
    WrittenElsewhere,

    /// <summary>Still in the oversized hash: the write failed, and the next mover pass of a receiver writes it.</summary>
    StillStaged,

    /// <summary>Its packed fields could not be read: moved, raw, to the queue's dead-letter stream.</summary>
    DeadLettered,
}
