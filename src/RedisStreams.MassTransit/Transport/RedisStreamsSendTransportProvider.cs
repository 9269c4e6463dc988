using MassTransit;
using MassTransit.Transports;
using RedisStreams.MassTransit.Configuration;
using RedisStreams.MassTransit.Topology;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Creates send transports for queues and publish transports for message-type topics.</summary>
internal sealed class RedisStreamsSendTransportProvider : ISendTransportProvider, IPublishTransportProvider
{
    readonly RedisStreamsHostConfiguration _hostConfiguration;
    readonly RedisStreamsReceiveEndpointContext _context;

    public RedisStreamsSendTransportProvider(RedisStreamsHostConfiguration hostConfiguration, RedisStreamsReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Uri NormalizeAddress(Uri address) => new RedisStreamsEndpointAddress(_hostConfiguration.HostAddress, address).ToUri();

    public Task<ISendTransport> GetSendTransport(Uri address)
    {
        var endpoint = new RedisStreamsEndpointAddress(_hostConfiguration.HostAddress, address);
        return Task.FromResult(Create(new RedisStreamsSendTransportContext(_hostConfiguration, _context, endpoint.Name, endpoint.IsTopic, links: [])));
    }

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress)
        where T : class
    {
        var publish = _hostConfiguration.BusTopology.Configuration.Publish as RedisStreamsPublishTopology
            ?? throw new InvalidOperationException("The publish topology is not the Redis Streams one.");
        var topic = publish.TopicOf(typeof(T))
            ?? throw new ConfigurationException($"{TypeCache<T>.ShortName} is excluded from the topology and cannot be published.");
        var links = MessageTypeCache<T>.MessageTypes
            .Where(t => t != typeof(T))
            .Select(publish.TopicOf)
            .Where(t => t is not null && t != topic)
            .Select(t => t!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return Task.FromResult(Create(new RedisStreamsSendTransportContext(_hostConfiguration, _context, topic, isTopic: true, links)));
    }

    ISendTransport Create(RedisStreamsSendTransportContext context)
    {
        var transport = new SendTransport<IClientContext>(context);
        _hostConfiguration.ConnectionSupervisor.AddSendAgent(transport);
        return transport;
    }
}
