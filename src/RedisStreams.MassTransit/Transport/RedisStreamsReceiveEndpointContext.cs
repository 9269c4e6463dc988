using MassTransit;
using MassTransit.Transports;
using MassTransit.Util;
using RedisStreams.MassTransit.Configuration;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Everything a running endpoint shares: settings, its supervisor, send and publish transports.</summary>
internal sealed class RedisStreamsReceiveEndpointContext : BaseReceiveEndpointContext
{
    readonly RedisStreamsHostConfiguration _hostConfiguration;
    readonly Recycle<ClientContextSupervisor> _supervisor;

    public RedisStreamsReceiveEndpointContext(RedisStreamsHostConfiguration hostConfiguration, RedisStreamsReceiveEndpointConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
        _hostConfiguration = hostConfiguration;
        Settings = configuration.Settings;
        _supervisor = new Recycle<ClientContextSupervisor>(() => hostConfiguration.ConnectionSupervisor.CreateChild(forSending: false));
        hostConfiguration.ConnectionHealth.Add(this);
    }

    /// <summary>How many receivers of this endpoint have started; until one has, <see cref="ConnectionHealth"/> reports its health.</summary>
    public int ReceiverStarts => Volatile.Read(ref _receiverStarts);

    /// <summary>Whether a receiver of this endpoint is running now.</summary>
    public bool ReceiverRunning => Volatile.Read(ref _receiverRunning);

    int _receiverStarts;
    bool _receiverRunning;

    /// <summary>A receiver started (<paramref name="running"/>) or ended.</summary>
    public void ReceiverIs(bool running)
    {
        if (running)
        {
            Interlocked.Increment(ref _receiverStarts);
        }

        Volatile.Write(ref _receiverRunning, running);
    }

    public RedisStreamsReceiveSettings Settings { get; }

    public ClientContextSupervisor Supervisor => _supervisor.Supervisor;

    public RedisStreamsHostConfiguration HostConfiguration => _hostConfiguration;

    public override void AddSendAgent(IAgent agent) => Supervisor.AddSendAgent(agent);

    public override void AddConsumeAgent(IAgent agent) => Supervisor.AddConsumeAgent(agent);

    public override Exception ConvertException(Exception exception, string message) =>
        new ConnectionException(message + _hostConfiguration.HostAddress, exception);

    public override void Probe(ProbeContext context)
    {
        context.Add("type", "Redis Streams");

        // Address is what MassTransit's tooling reads to list a bus's receive endpoints (as the in-memory transport gives it).
        context.Set(new { Address = InputAddress, Settings.QueueName, PrefetchCount, ConcurrentMessageLimit, Settings.ClaimIdleTime, Settings.MaxDeliveryCount, Settings.PurgeOnStartup, Settings.AutoDelete });
    }

    protected override ISendTransportProvider CreateSendTransportProvider() => new RedisStreamsSendTransportProvider(_hostConfiguration, this);

    protected override IPublishTransportProvider CreatePublishTransportProvider() => new RedisStreamsSendTransportProvider(_hostConfiguration, this);
}
