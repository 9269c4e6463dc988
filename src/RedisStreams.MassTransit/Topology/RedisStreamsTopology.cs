using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;
using MassTransit.Transports;

namespace RedisStreams.MassTransit.Topology;

/// <summary>Send, publish and consume topology of one bus or endpoint.</summary>
internal sealed class RedisStreamsTopologyConfiguration : ITopologyConfiguration
{
    public RedisStreamsTopologyConfiguration(IMessageTopologyConfigurator messageTopology)
    {
        Message = messageTopology;
        var send = new SendTopology();
        send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));
        send.TryAddConvention(new RoutingKeySendTopologyConvention());
        send.TryAddConvention(new PartitionKeySendTopologyConvention());
        Send = send;

        var publish = new RedisStreamsPublishTopology(messageTopology);
        publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(send));
        Publish = publish;

        Consume = new RedisStreamsConsumeTopology();
    }

    public RedisStreamsTopologyConfiguration(RedisStreamsTopologyConfiguration parent)
    {
        Message = parent.Message;
        Send = parent.Send;
        Publish = parent.Publish;
        Consume = new RedisStreamsConsumeTopology();
    }

    public IMessageTopologyConfigurator Message { get; }

    public ISendTopologyConfigurator Send { get; }

    public IPublishTopologyConfigurator Publish { get; }

    public IConsumeTopologyConfigurator Consume { get; }

    public IEnumerable<ValidationResult> Validate() => Send.Validate().Concat(Publish.Validate()).Concat(Consume.Validate());

    /// <summary>Entity names are MassTransit message names with <c>:</c> between namespace and type.</summary>
    public static IMessageTopologyConfigurator CreateMessageTopology() =>
        new MessageTopology(new MessageNameFormatterEntityNameFormatter(new DefaultMessageNameFormatter("::", "--", ":", "-")));
}

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

/// <summary>The publish topology of one message type.</summary>
internal sealed class RedisStreamsMessagePublishTopology<T> : MessagePublishTopology<T>
    where T : class
{
    readonly IMessageTopology<T> _messageTopology;

    public RedisStreamsMessagePublishTopology(IPublishTopology publishTopology, IMessageTopology<T> messageTopology)
        : base(publishTopology)
    {
        _messageTopology = messageTopology;
    }

    public string EntityName => _messageTopology.EntityName;

    public override bool TryGetPublishAddress(Uri baseAddress, out Uri publishAddress)
    {
        if (Exclude)
        {
            publishAddress = null!;
            return false;
        }

        publishAddress = new Uri(baseAddress, Uri.EscapeDataString(EntityName) + "?type=topic");
        return true;
    }
}

/// <summary>Consume topology; subscriptions themselves are collected on the receive endpoint's settings.</summary>
internal sealed class RedisStreamsConsumeTopology : ConsumeTopology
{
    public RedisStreamsConsumeTopology()
        : base(256)
    {
    }
}

/// <summary>The bus's view of its topology.</summary>
internal sealed class RedisStreamsBusTopology : BusTopology
{
    public RedisStreamsBusTopology(IHostConfiguration hostConfiguration, RedisStreamsTopologyConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
        Configuration = configuration;
    }

    public RedisStreamsTopologyConfiguration Configuration { get; }
}
