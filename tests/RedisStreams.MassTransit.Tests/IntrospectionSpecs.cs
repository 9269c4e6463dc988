using MassTransit;
using MassTransit.Introspection;

namespace RedisStreams.MassTransit.Tests;

public class IntrospectionSpecs
{
    [Fact]
    public async Task The_bus_probe_names_the_input_address_of_every_receive_endpoint()
    {
        Uri? configured = null;
        await using var bus = await BusFixture.StartAsync(bus: (_, cfg) => cfg.ReceiveEndpoint("probed", e =>
        {
            configured = e.InputAddress;
            e.Consumer<PingConsumer>();
        }));

        var addresses = ReceiveTransportAddresses(bus.Bus.GetProbeResult());

        Assert.Contains(configured!, addresses);
        Assert.Contains(bus.Bus.Address, addresses);
    }

    /// <summary>
    /// Reads bus → host → receiveEndpoint → receiveTransport → address, the path MassTransit's tooling reads. A scope
    /// that occurs once is a dictionary, several are an array of them.
    /// </summary>
    static List<Uri> ReceiveTransportAddresses(ProbeResult probe)
    {
        var host = Scope(Scope(probe.Results, "bus"), "host");
        var addresses = new List<Uri>();
        foreach (var endpoint in Scopes(host, "receiveEndpoint"))
        {
            foreach (var transport in Scopes(endpoint, "receiveTransport"))
            {
                var address = transport.FirstOrDefault(p => string.Equals(p.Key, "address", StringComparison.OrdinalIgnoreCase)).Value;
                if (address is not null)
                {
                    addresses.Add(address as Uri ?? new Uri(address.ToString()!));
                }
            }
        }

        return addresses;
    }

    static IDictionary<string, object> Scope(IDictionary<string, object> parent, string key) => Scopes(parent, key).Single();

    static IEnumerable<IDictionary<string, object>> Scopes(IDictionary<string, object> parent, string key) =>
        parent.TryGetValue(key, out var value)
            ? value switch
            {
                IDictionary<string, object> one => [one],
                IEnumerable<IDictionary<string, object>> many => many,
                _ => [],
            }
            : [];
}
