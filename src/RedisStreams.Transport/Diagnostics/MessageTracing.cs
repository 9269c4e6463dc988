using System.Diagnostics;

namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// The engine's spans, named and tagged after OpenTelemetry's messaging conventions: <c>send</c> /
/// <c>publish</c> (producer), <c>receive</c> (consumer, a child of the sender's span, open from hand-out until the
/// message is settled) and <c>ack</c> / <c>nack</c> / <c>dead_letter</c> (settle, children of the receive span).
/// The sender's W3C trace context travels in the entry's <c>$traceparent</c> and <c>$tracestate</c> fields.
/// </summary>
/// <remarks>
/// Every method returns <c>null</c> and allocates nothing when no listener samples the engine's
/// <see cref="ActivitySource"/>; only propagation of an activity the application already has costs a field.
/// </remarks>
internal static class MessageTracing
{
    /// <summary>The <c>messaging.system</c> value.</summary>
    public const string System = "redis_streams";

    /// <summary>The W3C header name a framework may already carry in its own headers.</summary>
    public const string TraceParentHeader = "traceparent";

    const string TraceStateHeader = "tracestate";

    static ActivitySource Source => RedisStreamsDiagnostics.ActivitySource;

    /// <summary>Starts a producer span for writing to one destination; <c>null</c> when nobody listens.</summary>
    /// <param name="operation"><c>send</c> or <c>publish</c>.</param>
    /// <param name="destination">The queue, or the topic of a publish.</param>
    /// <param name="parent">An explicit parent; <c>default</c> for the current activity.</param>
    /// <param name="batchSize">Messages written under this span, when more than one.</param>
    public static Activity? StartSend(string operation, string destination, ActivityContext parent = default, int batchSize = 1)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(operation + " " + destination, ActivityKind.Producer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", System);
            activity.SetTag("messaging.destination.name", destination);
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", operation);
            if (batchSize > 1)
            {
                activity.SetTag("messaging.batch.message_count", batchSize);
            }
        }

        return activity;
    }

    /// <summary>
    /// The trace context a message carries: the send span's, or when the engine made none the caller's current
    /// activity (so a trace crosses the queue even when only the application is traced); nothing without either.
    /// </summary>
    public static TraceFields Outgoing(Activity? send)
    {
        var activity = send ?? Activity.Current;
        return activity is { IdFormat: ActivityIdFormat.W3C } ? new TraceFields(activity.Id, activity.TraceStateString) : default;
    }

    /// <summary>
    /// Starts the span of one delivery when a receiver hands a message out, as a child of the sender's context;
    /// it stays open until the message is settled. Does not change <see cref="Activity.Current"/>.
    /// </summary>
    public static Activity? StartReceive(InboundMessage message, string group)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity("receive " + message.Queue, ActivityKind.Consumer, SenderContext(message));
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", System);
            activity.SetTag("messaging.destination.name", message.Queue);
            activity.SetTag("messaging.consumer.group.name", group);
            activity.SetTag("messaging.operation.type", "receive");
            activity.SetTag("messaging.operation.name", "receive");
            activity.SetTag("messaging.message.id", message.EntryId);
            activity.SetTag("messaging.message.body.size", message.Body.Length);
            activity.SetTag("redisstreams.delivery_count", message.DeliveryCount);
        }

        return activity;
    }

    /// <summary>Starts a settle span under the message's receive span (or its sender's context); <c>null</c> when nobody listens.</summary>
    /// <param name="message">The message being settled.</param>
    /// <param name="group">The receiver's consumer group.</param>
    /// <param name="operation"><c>ack</c>, <c>nack</c> or <c>dead_letter</c>.</param>
    public static Activity? StartSettle(InboundMessage message, string group, string operation)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = message.Activity?.Context ?? SenderContext(message);
        var activity = Source.StartActivity(operation + " " + message.Queue, ActivityKind.Client, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", System);
            activity.SetTag("messaging.destination.name", message.Queue);
            activity.SetTag("messaging.consumer.group.name", group);
            activity.SetTag("messaging.operation.type", "settle");
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("messaging.message.id", message.EntryId);
        }

        return activity;
    }

    /// <summary>Marks a span failed with the exception's type and message (never a connection string: the engine's messages carry none).</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>Ends the delivery's receive span once the message is settled, with how it was settled.</summary>
    public static void EndDelivery(InboundMessage message, string outcome)
    {
        var activity = message.TakeActivity();
        if (activity is null)
        {
            return;
        }

        activity.SetTag("redisstreams.settlement", outcome);
        activity.Stop();
    }

    /// <summary>The sender's context from <c>$traceparent</c>, else from a W3C <c>traceparent</c> header; <c>default</c> when absent or malformed.</summary>
    static ActivityContext SenderContext(InboundMessage message)
    {
        string? parent;
        string? state;
        if (message.TransportFields.TryGetValue(TraceParentHeader, out parent))
        {
            message.TransportFields.TryGetValue(TraceStateHeader, out state);
        }
        else if (message.Headers.TryGetValue(TraceParentHeader, out parent))
        {
            message.Headers.TryGetValue(TraceStateHeader, out state);
        }
        else
        {
            return default;
        }

        return ActivityContext.TryParse(parent, state, isRemote: true, out var context) ? context : default;
    }
}

/// <summary>The W3C trace context an outgoing message carries; both <c>null</c> when there is none.</summary>
/// <param name="Parent">The <c>traceparent</c> value.</param>
/// <param name="State">The <c>tracestate</c> value, if any.</param>
internal readonly record struct TraceFields(string? Parent, string? State);
