namespace RedisStreams.Transport.Redrive;

/// <summary>Collects a redrive's outcomes: exact counts, and the first <see cref="RedriveReport.MaxItems"/> lines.</summary>
internal sealed class RedriveReportBuilder
{
    readonly string _source;
    readonly bool _dryRun;
    readonly List<RedriveItem> _items = [];
    readonly SortedDictionary<string, long> _movedTo = new(StringComparer.Ordinal);
    long _moved;
    long _skipped;
    long _notFound;
    long _resumed;
    bool _truncated;

    public RedriveReportBuilder(string source, bool dryRun)
    {
        _source = source;
        _dryRun = dryRun;
    }

    /// <summary>The stream messages are taken from, for logs and the report.</summary>
    public string Source => _source;

    /// <param name="item">The outcome.</param>
    /// <param name="interrupted">Whether it belongs to a move an earlier redrive started.</param>
    public void Add(RedriveItem item, bool interrupted = false)
    {
        switch (item.Outcome)
        {
            case RedriveOutcome.Moved:
            case RedriveOutcome.WouldMove:
            case RedriveOutcome.Resumed:
                _moved++;
                _movedTo[item.Destination!] = _movedTo.GetValueOrDefault(item.Destination!) + 1;
                if (interrupted)
                {
                    _resumed++;
                }

                break;
            case RedriveOutcome.Skipped:
                _skipped++;
                break;
            case RedriveOutcome.NotFound:
                _notFound++;
                break;
        }

        if (_items.Count < RedriveReport.MaxItems)
        {
            _items.Add(item);
        }
        else
        {
            _truncated = true;
        }
    }

    public RedriveReport Build() => new()
    {
        Source = _source,
        DryRun = _dryRun,
        Moved = _moved,
        MovedTo = new Dictionary<string, long>(_movedTo, StringComparer.Ordinal),
        Skipped = _skipped,
        NotFound = _notFound,
        Resumed = _resumed,
        Items = _items,
        ItemsTruncated = _truncated,
    };
}
