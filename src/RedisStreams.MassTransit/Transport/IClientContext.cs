using MassTransit;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Transport;

/// <summary>The pipe context every send and receive runs in: the engine client on the bus's Redis connection.</summary>
internal interface IClientContext : PipeContext
{
    RedisStreamsClient Client { get; }
}
