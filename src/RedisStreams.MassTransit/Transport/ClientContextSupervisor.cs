using MassTransit.Transports;
using RedisStreams.MassTransit.Configuration;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Keeps a client context available, recreating it after a fault; the host's one owns the connection.</summary>
internal sealed class ClientContextSupervisor : TransportPipeContextSupervisor<IClientContext>
{
    public ClientContextSupervisor(RedisStreamsHostSettings settings, ConnectionHealth connectionHealth)
        : base(new ConnectionContextFactory(settings, connectionHealth))
    {
    }

    ClientContextSupervisor(ClientContextSupervisor parent, bool forSending)
        : base(new ChildContextFactory(parent))
    {
        if (forSending)
        {
            parent.AddSendAgent(this);
        }
        else
        {
            parent.AddConsumeAgent(this);
        }
    }

    public ClientContextSupervisor CreateChild(bool forSending) => new(this, forSending);
}
