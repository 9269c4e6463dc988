using Rebus.Subscriptions;
using RedisStreams.Rebus.Tests.Contracts;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Tests.Factories;

/// <summary>Subscription storages on the engine's registry, under a fresh key prefix per factory.</summary>
public sealed class RedisStreamsSubscriptionStorageFactory : ISubscriptionStorageFactory
{
    readonly Lazy<RedisStreamsClient> _client = new(() => TestRedis.Connect(TestNames.UniquePrefix("rebus-subscriptions")));

    public ISubscriptionStorage Create() => new RedisStreamsSubscriptionStorage(_client.Value.Subscriptions);

    public void Cleanup()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
