using MassTransit;
using MassTransit.Topology;

namespace RedisStreams.MassTransit.Topology;

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
