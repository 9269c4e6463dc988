using MassTransit;

namespace RedisStreams.MassTransit.Topology;

/// <summary>Consume topology; subscriptions themselves are collected on the receive endpoint's settings.</summary>
internal sealed class RedisStreamsConsumeTopology : ConsumeTopology
{
    public RedisStreamsConsumeTopology()
        : base(256)
    {
    }
}
