using MassTransit.Configuration;
using MassTransit.Transports;

namespace RedisStreams.MassTransit.Topology;

/// <summary>The bus's view of its topology.</summary>
internal sealed class RedisStreamsBusTopology : BusTopology
{
    public RedisStreamsBusTopology(IHostConfiguration hostConfiguration, RedisStreamsTopologyConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
        Configuration = configuration;
    }

    public RedisStreamsTopologyConfiguration Configuration { get; }
}
