using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using RedisStreams.MassTransit.Topology;

namespace RedisStreams.MassTransit.Configuration;

/// <summary>Pipe and topology configuration of the bus or of one endpoint; endpoints inherit the bus's.</summary>
internal class RedisStreamsEndpointConfiguration : EndpointConfiguration
{
    public RedisStreamsEndpointConfiguration(RedisStreamsTopologyConfiguration topology)
        : base(topology)
    {
        Topology = topology;
    }

    RedisStreamsEndpointConfiguration(IEndpointConfiguration parent, RedisStreamsTopologyConfiguration topology, bool isBusEndpoint)
        : base(parent, topology, isBusEndpoint)
    {
        Topology = topology;
    }

    public new RedisStreamsTopologyConfiguration Topology { get; }

    public RedisStreamsEndpointConfiguration CreateEndpointConfiguration(bool isBusEndpoint = false) =>
        new(this, new RedisStreamsTopologyConfiguration(Topology), isBusEndpoint);
}

/// <summary>The whole bus: host, bus endpoint, observers.</summary>
internal sealed class RedisStreamsBusConfiguration : RedisStreamsEndpointConfiguration, IBusConfiguration
{
    readonly BusObservable _busObservers = new();

    public RedisStreamsBusConfiguration(RedisStreamsTopologyConfiguration topology)
        : base(topology)
    {
        HostConfiguration = new RedisStreamsHostConfiguration(this, topology);
        BusEndpointConfiguration = CreateEndpointConfiguration(true);
    }

    public RedisStreamsHostConfiguration HostConfiguration { get; }

    public RedisStreamsEndpointConfiguration BusEndpointConfiguration { get; }

    /// <summary>Bus-level defaults of the Redis-specific endpoint settings.</summary>
    public RedisStreamsReceiveSettings Defaults { get; } = new("defaults");

    IHostConfiguration IBusConfiguration.HostConfiguration => HostConfiguration;

    IEndpointConfiguration IBusConfiguration.BusEndpointConfiguration => BusEndpointConfiguration;

    IBusObserver IBusConfiguration.BusObservers => _busObservers;

    public ConnectHandle ConnectBusObserver(IBusObserver observer) => _busObservers.Connect(observer);

    public ConnectHandle ConnectEndpointConfigurationObserver(IEndpointConfigurationObserver observer) =>
        HostConfiguration.ConnectEndpointConfigurationObserver(observer);
}
