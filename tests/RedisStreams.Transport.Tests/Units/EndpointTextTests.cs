using System.Net;

namespace RedisStreams.Transport.Tests.Units;

/// <summary>Endpoints as logs, errors, the CLI and the dashboard show them: as the user wrote them.</summary>
public sealed class EndpointTextTests
{
    [Fact]
    public void A_host_name_reads_host_and_port()
    {
        // EndPoint.ToString() reads "Unspecified/redis.internal:6380" for a host name.
        Assert.Equal("redis.internal:6380", RedisEndpointText.Describe(new DnsEndPoint("redis.internal", 6380)));
    }

    [Fact]
    public void Addresses_read_address_and_port()
    {
        Assert.Equal("127.0.0.1:6379", RedisEndpointText.Describe(new IPEndPoint(IPAddress.Loopback, 6379)));
        Assert.Equal("[::1]:6379", RedisEndpointText.Describe(new IPEndPoint(IPAddress.IPv6Loopback, 6379)));
    }

    [Fact]
    public void Several_endpoints_read_as_a_comma_separated_list()
    {
        EndPoint[] endpoints = [new DnsEndPoint("a", 1), new IPEndPoint(IPAddress.Loopback, 2)];

        Assert.Equal("a:1, 127.0.0.1:2", RedisEndpointText.Describe(endpoints));
    }
}
