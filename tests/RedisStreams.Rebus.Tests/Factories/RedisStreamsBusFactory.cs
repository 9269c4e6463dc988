using Rebus.Activation;
using Rebus.Bus;
using Rebus.Config;
using RedisStreams.Rebus.Tests.Contracts;
using RedisStreams.Testing;

namespace RedisStreams.Rebus.Tests.Factories;

/// <summary>
/// Started buses on the Redis Streams transport for the many-messages contract. Settled like any I/O-bound
/// transport: few workers, high parallelism (each ack is a Redis round trip, and a Rebus worker that finds every
/// parallel slot busy sleeps for its backoff time instead of waiting for a slot).
/// </summary>
public sealed class RedisStreamsBusFactory : IBusFactory
{
    readonly string _prefix = TestNames.UniquePrefix("rebus-bus");
    readonly List<BuiltinHandlerActivator> _activators = [];

    public IBus GetBus<TMessage>(string inputQueueAddress, Func<TMessage, Task> handler)
    {
        var activator = new BuiltinHandlerActivator();
        _activators.Add(activator);
        activator.Handle(handler);
        return Configure.With(activator)
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreams(TestRedis.Endpoint.ConnectionString, inputQueueAddress)
                .KeyPrefix(_prefix)
                .Prefetch(100))
            .Options(o =>
            {
                o.SetNumberOfWorkers(2);
                o.SetMaxParallelism(100);
            })
            .Start();
    }

    public void Cleanup()
    {
        foreach (var activator in _activators)
        {
            activator.Dispose();
        }
    }
}
