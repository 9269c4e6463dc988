using System.Globalization;
using Rebus.Transport;

namespace RedisStreams.Rebus.Tests.Contracts;

/// <summary>Rebus's <c>TransportInspectorTest</c> contract: same test name, same assertion.</summary>
public abstract class TransportInspectorTest<TTransportInspectorFactory> : IDisposable
    where TTransportInspectorFactory : ITransportInspectorFactory, new()
{
    readonly TTransportInspectorFactory _factory = new();

    public void Dispose()
    {
        _factory.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task InitialCountIsZero()
    {
        var (transport, inspector) = _factory.Create("testa");
        Assert.Equal("testa", transport.Address);

        var properties = await inspector.GetProperties(CancellationToken.None);

        Assert.Equal(0, Convert.ToInt32(properties[TransportInspectorPropertyKeys.QueueLength], CultureInfo.InvariantCulture));
    }
}
