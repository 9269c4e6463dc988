using RedisStreams.Transport;

namespace RedisStreams.Dashboard.Api;

// What the JSON API returns: the engine's numbers in the page's terms (durations in seconds, findings beside
// them). Everything from Redis travels as JSON strings and is put on the page as text, never as markup.

/// <summary>The dashboard itself: what it shows and whether this user may act.</summary>
internal sealed record InfoView(string Title, string KeyPrefix, string Redis, double RefreshSeconds, bool ActionsAllowed, string? ActionsError, string? ActionsReason);

/// <summary>The queue list with totals for the tiles at the top.</summary>
internal sealed record OverviewView(IReadOnlyList<QueueView> Queues, OverviewTotals Totals);

/// <summary>Totals over every queue.</summary>
internal sealed record OverviewTotals(int Queues, long Depth, long Pending, long DeadLetters, long FailedMessages, int QueuesWithAlerts, int QueuesWithWarnings);

/// <summary>One queue's numbers (see <see cref="QueueSummary"/>) and what they mean.</summary>
internal sealed record QueueView(
    string Queue,
    bool IsErrorQueue,
    long Length,
    long? Waiting,
    long Pending,
    long Depth,
    double? OldestPendingSeconds,
    int Groups,
    long Consumers,
    long Delayed,
    long DeadLetters,
    long InRedrive,
    string? ErrorQueue,
    long? ErrorQueueDepth,
    IReadOnlyList<Finding> Findings)
{
    public static QueueView From(QueueSummary summary, TimeSpan stuckAfter) => new(
        summary.Queue,
        summary.IsErrorQueue,
        summary.Length,
        summary.Waiting,
        summary.Pending,
        summary.Depth,
        Seconds(summary.OldestPendingAge),
        summary.Groups,
        summary.Consumers,
        summary.Delayed,
        summary.DeadLettered,
        summary.InRedrive,
        summary.ErrorQueue,
        summary.ErrorQueueDepth,
        FindingRules.Of(summary, stuckAfter));

    public static double? Seconds(TimeSpan? age) => age is { } a ? Math.Round(a.TotalSeconds, 3) : null;
}

/// <summary>One queue in detail: numbers, groups, consumers.</summary>
internal sealed record QueueDetailsView(QueueView Summary, IReadOnlyList<GroupView> Groups, string? FirstEntryId, string? LastEntryId, DateTimeOffset? NextDelayedDue)
{
    public static QueueDetailsView From(QueueDetails details, TimeSpan stuckAfter) => new(
        QueueView.From(details.Summary, stuckAfter),
        [.. details.Groups.Select(g => new GroupView(
            g.Name,
            g.Pending,
            g.Waiting,
            g.LastDeliveredId,
            g.OldestPendingId,
            QueueView.Seconds(g.OldestPendingAge),
            [.. g.Consumers.Select(c => new ConsumerView(c.Name, c.Pending, QueueView.Seconds(c.Idle)!.Value, FindingRules.Of(c, stuckAfter)))]))],
        details.FirstEntryId,
        details.LastEntryId,
        details.NextDelayedDue);
}

/// <summary>A consumer group.</summary>
internal sealed record GroupView(string Name, long Pending, long? Waiting, string LastDeliveredId, string? OldestPendingId, double? OldestPendingSeconds, IReadOnlyList<ConsumerView> Consumers);

/// <summary>A consumer: what it holds and how long it has been silent.</summary>
internal sealed record ConsumerView(string Name, long Pending, double IdleSeconds, IReadOnlyList<Finding> Findings);

/// <summary>A page of the message browser.</summary>
internal sealed record MessagePageView(IReadOnlyList<MessageView> Messages, string? NextAfter);

/// <summary>A message as the browser shows it: headers, the transport's own fields, and a safe body preview.</summary>
internal sealed record MessageView(
    string EntryId,
    DateTimeOffset EnqueuedAt,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> TransportFields,
    BodyView Body,
    string? Problem);

/// <summary>
/// A body preview. Text bodies travel as text (cut to the preview size); binary ones as the hex of their first
/// bytes, so no byte from Redis ever reaches the page as anything but text.
/// </summary>
/// <param name="Length">The whole body's length in bytes.</param>
/// <param name="Text">The body as text, when it is UTF-8 text; cut to the preview size.</param>
/// <param name="Hex">The first bytes in hex (two digits each), when it is binary.</param>
/// <param name="Truncated">Whether the preview is shorter than the body.</param>
internal sealed record BodyView(int Length, string? Text, string? Hex, bool Truncated)
{
    /// <summary>Bytes of a text body the browser gets per message.</summary>
    public const int TextPreviewBytes = 16 * 1024;

    /// <summary>Bytes of a binary body shown as hex.</summary>
    public const int HexPreviewBytes = 512;

    public static BodyView From(StoredMessage message)
    {
        var body = message.Body.Span;
        if (message.BodyText is { } text)
        {
            if (body.Length <= TextPreviewBytes)
            {
                return new BodyView(body.Length, text, null, false);
            }

            // Cut on a character boundary: decode only the preview's bytes, dropping a split last character.
            var preview = System.Text.Encoding.UTF8.GetString(body[..TextPreviewBytes]).TrimEnd('\uFFFD');
            return new BodyView(body.Length, preview, null, true);
        }

        var shown = body[..Math.Min(body.Length, HexPreviewBytes)];
        return new BodyView(body.Length, null, Convert.ToHexString(shown).ToLowerInvariant(), shown.Length < body.Length);
    }
}

/// <summary>A topic and who receives what is published to it.</summary>
internal sealed record TopicView(string Topic, IReadOnlyList<string> Queues, IReadOnlyList<string> LinkedTopics);

/// <summary>An error the page shows as it is: a stable code and what to do.</summary>
internal sealed record ErrorView(string Error, string Message);
