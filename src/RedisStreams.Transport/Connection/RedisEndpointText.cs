using System.Globalization;
using System.Net;

namespace RedisStreams.Transport;

/// <summary>
/// Redis endpoints as a person wrote them, <c>host:port</c>, for logs, errors, health checks and tools: a host
/// name's <c>EndPoint.ToString()</c> reads <c>Unspecified/host:port</c>.
/// </summary>
public static class RedisEndpointText
{
    /// <summary>One endpoint: <c>host:port</c>, <c>127.0.0.1:6379</c> or <c>[::1]:6379</c>.</summary>
    /// <param name="endPoint">The endpoint.</param>
    public static string Describe(EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return endPoint switch
        {
            DnsEndPoint dns => $"{dns.Host}:{dns.Port.ToString(CultureInfo.InvariantCulture)}",
            _ => endPoint.ToString() ?? "?",
        };
    }

    /// <summary>As <see cref="Describe(EndPoint)"/>, or <c>(unknown)</c> when an event names no endpoint.</summary>
    internal static string DescribeOrUnknown(EndPoint? endPoint) => endPoint is null ? "(unknown)" : Describe(endPoint);

    /// <summary>Several endpoints, separated by commas.</summary>
    /// <param name="endPoints">The endpoints.</param>
    public static string Describe(IEnumerable<EndPoint> endPoints)
    {
        ArgumentNullException.ThrowIfNull(endPoints);
        return string.Join(", ", endPoints.Select(Describe));
    }
}
