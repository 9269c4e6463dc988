using System.Globalization;
using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Turns a MassTransit send context into an engine message: headers as text fields, the serialized body.</summary>
internal static class OutgoingMessages
{
    public static OutgoingMessage From<T>(MessageSendContext<T> context)
        where T : class
    {
        // Serialize first: a serializer may change the context while it builds the body (raw JSON sets transport
        // headers, and a routing slip event sent as a custom message replaces the supported message types), so
        // headers read before it would go out stale.
        var body = context.Body.GetBytes();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in context.Headers.GetAll())
        {
            if (header.Value is not null)
            {
                headers[header.Key] = Format(header.Value);
            }
        }

        Set(headers, MessageHeaders.ContentType, context.ContentType?.ToString());
        Set(headers, MessageHeaders.MessageId, context.MessageId?.ToString());
        Set(headers, MessageHeaders.CorrelationId, context.CorrelationId?.ToString());
        Set(headers, MessageHeaders.ConversationId, context.ConversationId?.ToString());
        Set(headers, MessageHeaders.InitiatorId, context.InitiatorId?.ToString());
        Set(headers, MessageHeaders.RequestId, context.RequestId?.ToString());
        Set(headers, MessageHeaders.SourceAddress, context.SourceAddress?.ToString());
        Set(headers, MessageHeaders.ResponseAddress, context.ResponseAddress?.ToString());
        Set(headers, MessageHeaders.FaultAddress, context.FaultAddress?.ToString());
        Set(headers, MessageHeaders.MessageType, context.SupportedMessageTypes is { Length: > 0 } types ? string.Join(';', types) : null);
        if (context.TryGetPayload<PartitionKeySendContext>(out var partition) && partition.PartitionKey is { Length: > 0 } key)
        {
            Set(headers, "MT-PartitionKey", key);
        }

        var delay = context.Delay is { } d && d > TimeSpan.Zero ? d : (TimeSpan?)null;
        return new OutgoingMessage(headers, body)
        {
            TimeToLive = context.TimeToLive is { } ttl && ttl > TimeSpan.Zero ? ttl : null,
            Delay = delay,
            ScheduleToken = delay is not null ? context.ScheduledMessageId?.ToString("N") : null,
        };
    }

    public static Dictionary<string, string> ToText(IEnumerable<KeyValuePair<string, object>> headers)
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in headers)
        {
            if (value is not null)
            {
                text[key] = Format(value);
            }
        }

        return text;
    }

    static void Set(Dictionary<string, string> headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers[name] = value;
        }
    }

    static string Format(object value) => value switch
    {
        string s => s,
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        Uri uri => uri.ToString(),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value, value.GetType()),
    };
}
