using Rebus.Subscriptions;
using RedisStreams.Transport;

namespace RedisStreams.Rebus;

/// <summary>
/// Rebus's subscription storage on the engine's subscription registry: one Redis set of subscriber queues per
/// topic, shared by every process, so <c>bus.Subscribe</c> needs no request to the publisher.
/// </summary>
/// <param name="registry">The registry, usually <see cref="RedisStreamsClient.Subscriptions"/>.</param>
public sealed class RedisStreamsSubscriptionStorage(SubscriptionRegistry registry) : ISubscriptionStorage
{
    readonly SubscriptionRegistry _registry = registry ?? throw new ArgumentNullException(nameof(registry));

    /// <summary>Always <c>true</c>: every process reads and writes the same registry in Redis.</summary>
    public bool IsCentralized => true;

    /// <summary>The queues subscribed to a topic, sorted.</summary>
    /// <param name="topic">The topic (by default the message type's short assembly-qualified name).</param>
    public async Task<IReadOnlyList<string>> GetSubscriberAddresses(string topic) =>
        await _registry.GetSubscribersAsync(topic).ConfigureAwait(false);

    /// <summary>Subscribes a queue to a topic; subscribing twice is the same as once.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="subscriberAddress">The subscribing queue.</param>
    public Task RegisterSubscriber(string topic, string subscriberAddress) => _registry.SubscribeAsync(topic, subscriberAddress);

    /// <summary>Removes a queue's subscription to a topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="subscriberAddress">The queue.</param>
    public Task UnregisterSubscriber(string topic, string subscriberAddress) => _registry.UnsubscribeAsync(topic, subscriberAddress);
}
