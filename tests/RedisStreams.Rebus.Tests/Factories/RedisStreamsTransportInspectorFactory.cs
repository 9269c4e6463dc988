using RedisStreams.Rebus.Tests.Contracts;

namespace RedisStreams.Rebus.Tests.Factories;

/// <summary>A transport and its inspector (the transport itself) for the inspector contract.</summary>
public sealed class RedisStreamsTransportInspectorFactory : ITransportInspectorFactory
{
    readonly RedisStreamsTransportFactory _transports = new();

    public TransportAndInspector Create(string address)
    {
        var transport = (RedisStreamsTransport)_transports.Create(address);
        return new TransportAndInspector(transport, transport);
    }

    public void Dispose() => _transports.CleanUp();
}
