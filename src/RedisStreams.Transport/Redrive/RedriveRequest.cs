namespace RedisStreams.Transport;

/// <summary>
/// Which messages a redrive moves back, and how. Exactly one selection: <see cref="EntryIds"/>,
/// <see cref="MaxCount"/>, or neither (all entries present when the redrive starts).
/// </summary>
public sealed record RedriveRequest
{
    /// <summary>Moves these entries (ids in the dead-letter or error stream); ids not found are reported, not an error.</summary>
    public IReadOnlyCollection<string>? EntryIds { get; init; }

    /// <summary>Moves at most this many entries, oldest first; 0 only completes moves an interrupted redrive started.</summary>
    public int? MaxCount { get; init; }

    /// <summary>Reports what would move where without moving anything.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Keeps the fault headers on the moved messages. By default they are removed, so the message arrives as it
    /// was first sent: <c>$dead-letter-*</c> for dead letters, <c>MT-Reason</c> and <c>MT-Fault-*</c> for MassTransit,
    /// <c>rbs2-error-details</c> and <c>rbs2-source-queue</c> for Rebus.
    /// </summary>
    public bool KeepFaultHeaders { get; init; }

    /// <summary>
    /// For error queues: sends every selected message to this queue instead of the one its fault headers name.
    /// Ignored for dead letters, which always go back to their own queue.
    /// </summary>
    public string? Destination { get; init; }

    /// <summary>Every entry present when the redrive starts.</summary>
    public static RedriveRequest All { get; } = new();

    /// <summary>The oldest <paramref name="count"/> entries.</summary>
    /// <param name="count">How many; 0 only completes moves an interrupted redrive started.</param>
    public static RedriveRequest First(int count) => new() { MaxCount = count };

    /// <summary>The entries with these ids.</summary>
    /// <param name="entryIds">Stream entry ids.</param>
    public static RedriveRequest ByIds(params string[] entryIds) => new() { EntryIds = entryIds };

    internal void Validate()
    {
        if (EntryIds is not null && MaxCount is not null)
        {
            throw new ArgumentException("Choose the messages either by id or by count, not both.", nameof(EntryIds));
        }

        if (MaxCount is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCount), MaxCount, "MaxCount must be 0 (only complete interrupted moves) or more.");
        }

        if (EntryIds is { Count: 0 })
        {
            throw new ArgumentException("EntryIds is empty: name at least one entry id, or leave it out to move every entry.", nameof(EntryIds));
        }

        foreach (var id in EntryIds ?? [])
        {
            if (!global::RedisStreams.Transport.EntryIds.IsValid(id))
            {
                throw new ArgumentException($"'{id}' is not a stream entry id. Entry ids look like 1700000000000-0.", nameof(EntryIds));
            }
        }

        if (Destination is not null)
        {
            Naming.EntityName.Validate(Destination, "queue");
        }
    }
}
