using Rebus.Subscriptions;

namespace RedisStreams.Rebus.Tests.Contracts;

/// <summary>Rebus's <c>BasicSubscriptionOperations</c> storage contract: same test names, same assertions.</summary>
public abstract class BasicSubscriptionOperations<TSubscriptionStorageFactory> : IDisposable
    where TSubscriptionStorageFactory : ISubscriptionStorageFactory, new()
{
    readonly TSubscriptionStorageFactory _factory = new();
    readonly ISubscriptionStorage _storage;

    protected BasicSubscriptionOperations()
    {
        _storage = _factory.Create();
    }

    public void Dispose()
    {
        _factory.Cleanup();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task StartsOutEmpty()
    {
        var subscribers = await _storage.GetSubscriberAddresses("someTopic");

        Assert.Empty(subscribers);
    }

    [Fact]
    public async Task CanRegisterSameSubscriberMoreThanOnce()
    {
        for (var i = 0; i < 6; i++)
        {
            await _storage.RegisterSubscriber("topic1", "subscriber1");
        }

        Assert.Equal(["subscriber1"], await _storage.GetSubscriberAddresses("topic1"));
    }

    [Fact]
    public async Task CanRegisterSubscribers()
    {
        await _storage.RegisterSubscriber("topic1", "subscriber1");
        await _storage.RegisterSubscriber("topic1", "subscriber2");
        await _storage.RegisterSubscriber("topic2", "subscriber1");

        Assert.Equal(["subscriber1", "subscriber2"], (await _storage.GetSubscriberAddresses("topic1")).Order(StringComparer.Ordinal));
        Assert.Equal(["subscriber1"], await _storage.GetSubscriberAddresses("topic2"));
    }

    [Fact]
    public async Task CanSubscribeAndUnsubscribe()
    {
        await _storage.RegisterSubscriber("topic1", "subscriber1");
        await _storage.RegisterSubscriber("topic1", "subscriber2");
        Assert.Equal(["subscriber1", "subscriber2"], (await _storage.GetSubscriberAddresses("topic1")).Order(StringComparer.Ordinal));

        await _storage.UnregisterSubscriber("topic1", "subscriber1");

        Assert.Equal(["subscriber2"], await _storage.GetSubscriberAddresses("topic1"));
    }
}
