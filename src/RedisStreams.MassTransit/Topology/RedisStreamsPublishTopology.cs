using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;
using MassTransit.Topology;

namespace RedisStreams.MassTransit.Topology;

/// <summary>Publish topology: each message type publishes to the topic named by its entity name.</summary>
internal sealed class RedisStreamsPublishTopology : PublishTopology
{
    readonly IMessageTopology _messageTopology;
    readonly ConcurrentDictionary<Type, string?> _topics = new();

    public RedisStreamsPublishTopology(IMessageTopology messageTopology)
    {
        _messageTopology = messageTopology;
    }

    protected override IMessagePublishTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new RedisStreamsMessagePublishTopology<T>(this, _messageTopology.GetMessageTopology<T>());
        OnMessageTopologyCreated(topology);
        return topology;
    }

    /// <summary>The topic a message type publishes to, or <c>null</c> when it is excluded from the topology.</summary>
    public string? TopicOf(Type messageType) => _topics.GetOrAdd(messageType, static (type, self) =>
    {
        if (!MessageTypeCache.IsValidMessageType(type) || type.GetCustomAttribute<ExcludeFromTopologyAttribute>() is not null)
        {
            return null;
        }

        var method = typeof(RedisStreamsPublishTopology).GetMethod(nameof(EntityNameOf), BindingFlags.NonPublic | BindingFlags.Instance)!;
        return (string)method.MakeGenericMethod(type).Invoke(self, null)!;
    }, this);

    string EntityNameOf<T>()
        where T : class =>
        GetMessageTopology<T>() is RedisStreamsMessagePublishTopology<T> { Exclude: false } topology ? topology.EntityName : null!;
}
