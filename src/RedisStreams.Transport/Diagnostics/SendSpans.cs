using System.Diagnostics;

namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// The producer spans of one <see cref="RedisStreamsClient.SendManyAsync"/> call: one per destination queue, each a
/// child of the caller's activity (not of each other), all ended when the call's writes are done. A mutable struct
/// kept in a local: nothing is allocated when nobody listens.
/// </summary>
internal struct SendSpans
{
    List<Activity>? _spans;

    /// <summary>Starts the span of one queue's messages and returns the trace context they carry.</summary>
    public TraceFields Start(string queue, int messages)
    {
        var caller = Activity.Current;
        var span = MessageTracing.StartSend("send", queue, batchSize: messages);
        if (span is null)
        {
            return MessageTracing.Outgoing(null);
        }

        // Starting a span makes it current; the next queue's span must be its sibling, not its child.
        Activity.Current = caller;
        (_spans ??= []).Add(span);
        return MessageTracing.Outgoing(span);
    }

    /// <summary>Marks every span failed.</summary>
    public readonly void Failed(Exception exception)
    {
        foreach (var span in _spans ?? [])
        {
            MessageTracing.Failed(span, exception);
        }
    }

    /// <summary>Ends every span.</summary>
    public readonly void Stop()
    {
        foreach (var span in _spans ?? [])
        {
            span.Stop();
        }
    }
}
