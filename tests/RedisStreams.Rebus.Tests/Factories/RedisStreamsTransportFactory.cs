using Rebus.Logging;
using Rebus.Time;
using Rebus.Transport;
using RedisStreams.Rebus.Tests.Contracts;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Tests.Factories;

/// <summary>
/// Transports for the Rebus transport contract. Each factory works under its own key prefix, so the fixed queue
/// names of the contract ("input", "testa", ...) start empty and tests run in parallel on one server.
/// </summary>
public sealed class RedisStreamsTransportFactory : ITransportFactory
{
    readonly Lazy<RedisStreamsClient> _client;
    readonly List<RedisStreamsTransport> _transports = [];
    readonly HashSet<string> _queues = new(StringComparer.Ordinal) { "error" };

    public RedisStreamsTransportFactory()
    {
        var prefix = TestNames.UniquePrefix("rebus-contract");
        _client = new Lazy<RedisStreamsClient>(() => TestRedis.Connect(prefix));
    }

    public ITransport CreateOneWayClient() => Create(null);

    public ITransport Create(string? inputQueueAddress)
    {
        var transport = new RedisStreamsTransport(_client.Value, inputQueueAddress, new NullLoggerFactory(), new DefaultRebusTime());
        lock (_transports)
        {
            _transports.Add(transport);
            if (inputQueueAddress is not null)
            {
                _queues.Add(inputQueueAddress);
            }
        }

        transport.Initialize();
        return transport;
    }

    public void CleanUp()
    {
        if (!_client.IsValueCreated)
        {
            return;
        }

        foreach (var transport in _transports)
        {
            transport.Dispose();
        }

        foreach (var queue in _queues)
        {
            _client.Value.DeleteQueueAsync(queue).GetAwaiter().GetResult();
        }

        _client.Value.Dispose();
    }
}
