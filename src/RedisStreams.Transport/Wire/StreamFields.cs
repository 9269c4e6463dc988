using System.Globalization;
using StackExchange.Redis;

namespace RedisStreams.Transport.Wire;

/// <summary>
/// The field layout of a stream entry. Headers are stored under their own names; the transport's own
/// fields start with <c>$</c>. A header whose name starts with <c>$</c> is stored with one more <c>$</c>
/// in front, so any header name round-trips and none can pose as a transport field.
/// </summary>
internal static class StreamFields
{
    public const string Body = "$body";
    public const string TimeToLive = "$ttl";
    public const string TraceParent = "$traceparent";
    public const string TraceState = "$tracestate";

    /// <summary>The entry's fields: headers, then <c>$ttl</c>, the sender's trace context (see <see cref="Diagnostics.MessageTracing"/>), and <c>$body</c>.</summary>
    public static RedisValue[] Encode(OutgoingMessage message, Diagnostics.TraceFields trace = default)
    {
        var extra = message.TimeToLive is { } ttl && ttl > TimeSpan.Zero ? 2 : 0;

        // A framework that carries W3C trace context in its own headers needs no second copy.
        var traced = trace.Parent is not null && !message.Headers.ContainsKey(Diagnostics.MessageTracing.TraceParentHeader);
        var traceFields = !traced ? 0 : trace.State is { Length: > 0 } ? 4 : 2;
        var fields = new RedisValue[(message.Headers.Count * 2) + 2 + extra + traceFields];
        var i = 0;
        foreach (var (name, value) in message.Headers)
        {
            ArgumentNullException.ThrowIfNull(name, "header name");
            fields[i++] = name.StartsWith('$') ? "$" + name : name;
            fields[i++] = value ?? string.Empty;
        }

        if (extra > 0)
        {
            fields[i++] = TimeToLive;
            fields[i++] = Math.Max(1, (long)Math.Ceiling(message.TimeToLive!.Value.TotalMilliseconds));
        }

        if (traceFields > 0)
        {
            fields[i++] = TraceParent;
            fields[i++] = trace.Parent;
            if (traceFields > 2)
            {
                fields[i++] = TraceState;
                fields[i++] = trace.State;
            }
        }

        fields[i++] = Body;
        fields[i] = message.Body;
        return fields;
    }

    /// <summary>Decodes an entry's flat field/value list; returns a reason instead when it is not ours.</summary>
    public static bool TryDecode(
        RedisResult[] fieldsAndValues,
        out Dictionary<string, string> headers,
        out ReadOnlyMemory<byte> body,
        out Dictionary<string, string> transportFields,
        out string? malformedReason)
    {
        headers = new Dictionary<string, string>(fieldsAndValues.Length / 2, StringComparer.Ordinal);
        transportFields = new Dictionary<string, string>(StringComparer.Ordinal);
        body = default;
        malformedReason = null;
        var sawBody = false;
        for (var i = 0; i + 1 < fieldsAndValues.Length; i += 2)
        {
            var name = (string?)fieldsAndValues[i] ?? string.Empty;
            if (name.Length > 1 && name[0] == '$' && name[1] == '$')
            {
                if (!headers.TryAdd(name[1..], (string?)fieldsAndValues[i + 1] ?? string.Empty))
                {
                    malformedReason = $"the header '{name[1..]}' appears twice";
                    return false;
                }
            }
            else if (name == Body)
            {
                body = (byte[]?)fieldsAndValues[i + 1] ?? [];
                sawBody = true;
            }
            else if (name.StartsWith('$'))
            {
                transportFields[name[1..]] = (string?)fieldsAndValues[i + 1] ?? string.Empty;
            }
            else if (!headers.TryAdd(name, (string?)fieldsAndValues[i + 1] ?? string.Empty))
            {
                malformedReason = $"the header '{name}' appears twice";
                return false;
            }
        }

        if (!sawBody)
        {
            malformedReason = $"the entry has no '{Body}' field, so it was not written by this transport";
            return false;
        }

        if (transportFields.TryGetValue(TimeToLive[1..], out var ttl) &&
            !long.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            malformedReason = $"the '{TimeToLive}' field is not a whole number of milliseconds";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads any entry for an operator to look at, never failing: headers (a repeated one keeps its last value),
    /// the body, the transport's own fields, and what a receiver would object to.
    /// </summary>
    public static StoredMessage Inspect(StreamEntry entry)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var transportFields = new Dictionary<string, string>(StringComparer.Ordinal);
        ReadOnlyMemory<byte> body = default;
        string? problem = null;
        var sawBody = false;
        foreach (var field in entry.Values)
        {
            var name = (string?)field.Name ?? string.Empty;
            if (name == Body)
            {
                body = (byte[]?)field.Value ?? [];
                sawBody = true;
                continue;
            }

            var value = (string?)field.Value ?? string.Empty;
            if (name.StartsWith('$') && !name.StartsWith("$$", StringComparison.Ordinal))
            {
                transportFields[name[1..]] = value;
                continue;
            }

            var header = name.StartsWith("$$", StringComparison.Ordinal) ? name[1..] : name;
            if (!headers.TryAdd(header, value))
            {
                headers[header] = value;
                problem ??= $"the header '{header}' appears twice";
            }
        }

        if (!sawBody)
        {
            problem ??= $"the entry has no '{Body}' field, so it was not written by this transport";
        }

        return new StoredMessage
        {
            EntryId = entry.Id!,
            Headers = headers,
            Body = body,
            TransportFields = transportFields,
            Problem = problem,
        };
    }
}
