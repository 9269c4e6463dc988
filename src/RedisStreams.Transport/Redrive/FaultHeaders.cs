using RedisStreams.Transport.Naming;

namespace RedisStreams.Transport.Redrive;

/// <summary>
/// What the frameworks write on a failed message, and where it came from. The engine depends on neither
/// framework; these are header names, read from MassTransit 8.5 and Rebus 8.
/// </summary>
internal static class FaultHeaders
{
    /// <summary>Rebus: the queue the message failed in.</summary>
    public const string RebusSourceQueue = "rbs2-source-queue";

    /// <summary>Rebus: the exceptions, as text.</summary>
    public const string RebusErrorDetails = "rbs2-error-details";

    /// <summary>
    /// MassTransit: the input address of the endpoint that faulted. Written by MassTransit 8.5's
    /// <c>SetExceptionHeaders</c> (MassTransit.Abstractions) and by this product's error transport.
    /// </summary>
    public const string MassTransitInputAddress = "MT-Fault-InputAddress";

    /// <summary>MassTransit: why the message moved (<c>fault</c>, <c>skip</c>, ...).</summary>
    public const string MassTransitReason = "MT-Reason";

    const string MassTransitFaultPrefix = "MT-Fault-";
    const string DeadLetterPrefix = "$dead-letter-";

    /// <summary>Whether a stream field of a dead-lettered entry is one the engine added when it gave up.</summary>
    public static bool IsDeadLetterField(string field) => field.StartsWith(DeadLetterPrefix, StringComparison.Ordinal);

    /// <summary>Whether a stream field of an error queue entry is a header a framework added on failure.</summary>
    public static bool IsFrameworkFaultField(string field) =>
        field.StartsWith(MassTransitFaultPrefix, StringComparison.Ordinal) ||
        field == MassTransitReason ||
        field == RebusErrorDetails ||
        field == RebusSourceQueue;

    /// <summary>
    /// The queue a message in an error queue came from: Rebus's <c>rbs2-source-queue</c>, else MassTransit's
    /// <c>MT-Fault-InputAddress</c>, else the error queue's name without <c>_error</c> / <c>_skipped</c>.
    /// </summary>
    /// <param name="fields">The entry's stream fields.</param>
    /// <param name="errorQueue">The error queue it is in.</param>
    /// <param name="keyPrefix">This client's key prefix: addresses under another prefix belong to another bus.</param>
    /// <param name="problem">Why no destination could be found.</param>
    public static string? SourceQueueOf(IReadOnlyDictionary<string, string> fields, string errorQueue, string keyPrefix, out string? problem)
    {
        problem = null;
        if (fields.TryGetValue(RebusSourceQueue, out var rebus) && rebus.Length > 0)
        {
            return rebus;
        }

        if (fields.TryGetValue(MassTransitInputAddress, out var address) && address.Length > 0)
        {
            return QueueOfAddress(address, keyPrefix, out problem);
        }

        foreach (var suffix in (string[])["_error", "_skipped"])
        {
            if (errorQueue.EndsWith(suffix, StringComparison.Ordinal) && errorQueue.Length > suffix.Length)
            {
                return errorQueue[..^suffix.Length];
            }
        }

        problem = $"it has neither a {RebusSourceQueue} nor a {MassTransitInputAddress} header, and '{errorQueue}' does not end in _error or _skipped; name the destination";
        return null;
    }

    /// <summary>The queue of a MassTransit endpoint address: <c>queue:name</c> or <c>redis://host:port/prefix/name</c>.</summary>
    static string? QueueOfAddress(string address, string keyPrefix, out string? problem)
    {
        problem = null;
        if (address.StartsWith("queue:", StringComparison.OrdinalIgnoreCase))
        {
            var name = address["queue:".Length..];
            var query = name.IndexOf('?', StringComparison.Ordinal);
            return Uri.UnescapeDataString(query < 0 ? name : name[..query]);
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
        {
            problem = $"its {MassTransitInputAddress} '{address}' is not a Redis Streams address; name the destination";
            return null;
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        if (segments.Length < 2 || segments[^1].Length == 0)
        {
            problem = $"its {MassTransitInputAddress} '{address}' names no queue; name the destination";
            return null;
        }

        var prefix = Uri.UnescapeDataString(string.Join('/', segments[..^1]));
        if (!string.Equals(prefix, keyPrefix, StringComparison.Ordinal))
        {
            problem = $"its {MassTransitInputAddress} '{address}' is under the key prefix '{prefix}', not '{keyPrefix}'; redrive it with that prefix";
            return null;
        }

        return Uri.UnescapeDataString(segments[^1]);
    }

    /// <summary>Checks a destination found in headers before anything is written to it.</summary>
    public static string? Check(string destination, string source, out string? problem)
    {
        problem = null;
        if (destination == source)
        {
            problem = $"its source queue is '{source}' itself";
            return null;
        }

        try
        {
            EntityName.Validate(destination, "queue");
            return destination;
        }
        catch (ArgumentException e)
        {
            problem = $"its source queue is not a valid queue name: {e.Message}";
            return null;
        }
    }
}
