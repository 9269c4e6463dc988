using Rebus.Bus;
using Rebus.Subscriptions;
using Rebus.Transport;

namespace RedisStreams.Rebus.Tests.Contracts;

// The factory shapes of Rebus.Tests.Contracts (namespaces Rebus.Tests.Contracts.Transports / .Subscriptions), so the
// factories in Factories/ can be wired to the real contract fixtures by changing only the interface they implement.

/// <summary>Creates transports for the transport contract; a new factory per test.</summary>
public interface ITransportFactory
{
    ITransport CreateOneWayClient();

    ITransport Create(string inputQueueAddress);

    void CleanUp();
}

/// <summary>Creates started buses for the many-messages contract.</summary>
public interface IBusFactory
{
    IBus GetBus<TMessage>(string inputQueueAddress, Func<TMessage, Task> handler);

    void Cleanup();
}

/// <summary>Creates a transport and its inspector for the inspector contract.</summary>
public interface ITransportInspectorFactory : IDisposable
{
    TransportAndInspector Create(string address);
}

/// <summary>A transport and the inspector of its input queue.</summary>
public sealed record TransportAndInspector(ITransport Transport, ITransportInspector TransportInspector);

/// <summary>Creates subscription storages for the subscription contract.</summary>
public interface ISubscriptionStorageFactory
{
    ISubscriptionStorage Create();

    void Cleanup();
}
