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
