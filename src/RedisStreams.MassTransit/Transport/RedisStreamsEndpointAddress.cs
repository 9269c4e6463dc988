using MassTransit;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// An endpoint address: <c>queue:name</c>, <c>topic:name</c> (or RabbitMQ's <c>exchange:name</c>), or the full form
/// <c>redis://host:port/prefix/name[?type=topic][&amp;autodelete=true]</c> that round-trips.
/// </summary>
internal readonly record struct RedisStreamsEndpointAddress
{
    public RedisStreamsEndpointAddress(Uri hostAddress, Uri address)
    {
        ArgumentNullException.ThrowIfNull(hostAddress);
        ArgumentNullException.ThrowIfNull(address);
        HostAddress = hostAddress;
        var query = address.IsAbsoluteUri ? address.Query : string.Empty;
        var exchange = false;
        switch (address.Scheme.ToLowerInvariant())
        {
            case "queue":
                Name = Unescape(StripQuery(address.OriginalString["queue:".Length..]));
                query = QueryOf(address.OriginalString);
                break;
            case "topic":
            case "exchange":
                // exchange:name is RabbitMQ's address of what is a topic here, so RabbitMQ applications keep their addresses.
                exchange = address.Scheme.Equals("exchange", StringComparison.OrdinalIgnoreCase);
                Name = Unescape(StripQuery(address.OriginalString[(address.Scheme.Length + 1)..]));
                IsTopic = true;
                query = QueryOf(address.OriginalString);
                break;
            case "redis":
            case "rediss":
                var segments = address.AbsolutePath.Trim('/').Split('/');
                var hostPrefix = hostAddress.AbsolutePath.Trim('/');
                if (segments.Length < 2 || segments[^1].Length == 0)
                {
                    throw new RedisStreamsAddressException(address, "the path must be /<key prefix>/<queue or topic name>");
                }

                var prefix = string.Join('/', segments[..^1]);
                if (!string.Equals(prefix, hostPrefix, StringComparison.Ordinal))
                {
                    throw new RedisStreamsAddressException(address, $"its key prefix '{Unescape(prefix)}' is not this bus's key prefix '{Unescape(hostPrefix)}'; a bus sends only within its own prefix");
                }

                Name = Unescape(segments[^1]);
                break;
            default:
                throw new RedisStreamsAddressException(address, "the scheme must be queue:, topic:, exchange:, redis:// or rediss://");
        }

        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "true" : Unescape(pair[(equals + 1)..]);
            switch (key.ToLowerInvariant())
            {
                case "type" when exchange:
                    // RabbitMQ's exchange type (fanout, direct, topic): a topic here fans out to every subscriber.
                    break;
                case "type":
                    IsTopic = value.ToLowerInvariant() switch
                    {
                        "topic" => true,
                        "queue" => false,
                        _ => throw new RedisStreamsAddressException(address, $"type '{value}' is neither queue nor topic"),
                    };
                    break;
                case "autodelete":
                case "temporary":
                    AutoDelete = bool.TryParse(value, out var flag) ? flag : throw new RedisStreamsAddressException(address, $"{key} must be true or false");
                    break;
                default:
                    // Unknown arguments (e.g. from other transports' conventions) are ignored, as MassTransit's transports do.
                    break;
            }
        }

        try
        {
            RedisStreamsClient.ValidateQueueName(Name);
        }
        catch (ArgumentException e)
        {
            throw new RedisStreamsAddressException(address, e.Message);
        }
    }

    public Uri HostAddress { get; }

    public string Name { get; }

    public bool IsTopic { get; }

    public bool AutoDelete { get; }

    public Uri ToUri()
    {
        var builder = new UriBuilder(HostAddress) { Path = HostAddress.AbsolutePath.TrimEnd('/') + "/" + Uri.EscapeDataString(Name) };
        var query = new List<string>();
        if (IsTopic)
        {
            query.Add("type=topic");
        }

        if (AutoDelete)
        {
            query.Add("autodelete=true");
        }

        builder.Query = string.Join('&', query);
        return builder.Uri;
    }

    public static implicit operator Uri(RedisStreamsEndpointAddress address) => address.ToUri();

    public static Uri ForQueue(Uri hostAddress, string queue, bool autoDelete = false) =>
        new RedisStreamsEndpointAddress(hostAddress, new Uri(hostAddress, Uri.EscapeDataString(queue) + (autoDelete ? "?autodelete=true" : string.Empty))).ToUri();

    static string StripQuery(string text)
    {
        var q = text.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? text : text[..q];
    }

    static string QueryOf(string text)
    {
        var q = text.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? string.Empty : text[q..];
    }

    static string Unescape(string text) => Uri.UnescapeDataString(text);
}

/// <summary>An endpoint address this transport cannot use; the message says what to fix.</summary>
internal sealed class RedisStreamsAddressException : AbstractUriException
{
    public RedisStreamsAddressException(Uri address, string problem)
        : base(address, $"The Redis Streams address is invalid: {problem}.")
    {
    }
}
