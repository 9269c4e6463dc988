using Rebus.Activation;
using Rebus.Bus;
using Rebus.Config;
using RedisStreams.Rebus.Tests.Contracts;
using RedisStreams.Testing;

namespace RedisStreams.Rebus.Tests.Factories;

/// <summary>Started buses on the Redis Streams transport for the many-messages contract, 10 workers each.</summary>
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
                .Prefetch(20))
            .Options(o =>
            {
                o.SetNumberOfWorkers(10);
                o.SetMaxParallelism(10);
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
