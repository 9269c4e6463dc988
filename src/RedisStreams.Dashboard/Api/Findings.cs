using System.Globalization;
using RedisStreams.Transport;

namespace RedisStreams.Dashboard.Api;

/// <summary>One thing an operator should know about a queue or consumer: what is wrong and what to do.</summary>
/// <param name="Level"><c>alert</c> (messages failed or are stuck mid-move), <c>warn</c> (something may hang), <c>info</c>.</param>
/// <param name="Text">The finding, in words.</param>
internal sealed record Finding(string Level, string Text);

/// <summary>
/// Reads the numbers the engine reports the way an operator would at 3 a.m.: which queue is stuck, and the most
/// likely why. Each rule is one sentence; the page shows them beside the numbers.
/// </summary>
internal static class FindingRules
{
    public static IReadOnlyList<Finding> Of(QueueSummary queue, TimeSpan stuckAfter)
    {
        var findings = new List<Finding>();
        if (queue.InRedrive > 0)
        {
            findings.Add(new("alert", $"{Count(queue.InRedrive, "message")} in the middle of an interrupted redrive: complete it (Complete redrive, or any redrive of this queue)."));
        }

        if (queue.IsErrorQueue && queue.Length > 0)
        {
            findings.Add(new("alert", $"{Count(queue.Length, "failed message")}: read the fault headers, fix the cause, then redrive."));
        }

        if (queue.DeadLettered > 0)
        {
            findings.Add(new("alert", $"{Count(queue.DeadLettered, "dead letter")}: set aside after a crash loop, as not a message, or by the application; the reason is on each. Fix the cause, then redrive."));
        }

        if (!queue.IsErrorQueue && queue.Consumers == 0 && queue.Depth > 0)
        {
            findings.Add(new("warn", queue.Groups == 0
                ? $"{Count(queue.Depth, "message")} and no consumer group: nothing has ever consumed this queue. Is the application that reads it deployed, and with the same key prefix?"
                : $"{Count(queue.Depth, "message")} waiting and no consumer: is the application that reads it running?"));
        }

        if (queue.OldestPendingAge is { } age && age >= stuckAfter)
        {
            findings.Add(new("warn", $"The oldest message in processing has been pending for {Age(age)}: a handler may hang, or its process died (another consumer takes it over after the claim idle time)."));
        }

        if (queue.Waiting is null && queue.Groups > 0)
        {
            findings.Add(new("info", "Redis cannot tell how many messages wait (entries were deleted from the middle of the stream): depth shows the stream length."));
        }

        return findings;
    }

    public static IReadOnlyList<Finding> Of(ConsumerStatistics consumer, TimeSpan stuckAfter)
    {
        if (consumer.Pending > 0 && consumer.Idle >= stuckAfter)
        {
            return [new("warn", $"Holds {Count(consumer.Pending, "message")} and has been silent for {Age(consumer.Idle)}: its process hangs or died. Another consumer takes its messages over after the claim idle time.")];
        }

        // A healthy receiver with nothing to do still polls (every IdlePollInterval, 10 s by default): a minute of
        // silence means its process is gone.
        if (consumer.Pending == 0 && consumer.Idle >= stuckAfter && consumer.Idle >= TimeSpan.FromMinutes(1))
        {
            return [new("info", $"Silent for {Age(consumer.Idle)}: probably a process that stopped. Holding nothing, it is harmless; the engine removes such consumers.")];
        }

        return [];
    }

    public static string Count(long count, string noun) =>
        count.ToString("N0", CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? string.Empty : "s");

    /// <summary>An age as an operator reads it: <c>42s</c>, <c>4m 12s</c>, <c>3h 05m</c>, <c>2d 04h</c>.</summary>
    public static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 60 } => $"{(int)age.TotalSeconds}s",
        { TotalMinutes: < 60 } => $"{age.Minutes}m {age.Seconds:00}s",
        { TotalHours: < 24 } => $"{(int)age.TotalHours}h {age.Minutes:00}m",
        _ => $"{(int)age.TotalDays}d {age.Hours:00}h",
    };
}
