using MassTransit;
using MassTransit.Transports;
using RedisStreams.MassTransit.Configuration;
using RedisStreams.MassTransit.Topology;

namespace RedisStreams.MassTransit.Transport;

/// <summary>The running host: owns the connection supervisor and connects endpoints at run time.</summary>
internal sealed class RedisStreamsHost : BaseHost, IHost<IRedisStreamsReceiveEndpointConfigurator>
{
    readonly RedisStreamsHostConfiguration _hostConfiguration;

    public RedisStreamsHost(RedisStreamsHostConfiguration hostConfiguration, RedisStreamsBusTopology topology)
        : base(hostConfiguration, topology)
    {
        _hostConfiguration = hostConfiguration;
    }

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter, Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(definition, endpointNameFormatter, (Action<IRedisStreamsReceiveEndpointConfigurator>?)configureEndpoint);

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(queueName, (Action<IRedisStreamsReceiveEndpointConfigurator>?)configureEndpoint);

    public HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter = null, Action<IRedisStreamsReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        return ConnectReceiveEndpoint(queueName, configurator =>
        {
            _hostConfiguration.ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<IRedisStreamsReceiveEndpointConfigurator>? configure = null)
    {
        LogContext.SetCurrentIfNull(_hostConfiguration.LogContext);
        var configuration = _hostConfiguration.CreateReceiveEndpointConfiguration(queueName, configure);
        configuration.Validate().ThrowIfContainsFailure("The receive endpoint configuration is invalid:");
        configuration.Build(this);
        return ReceiveEndpoints.Start(queueName);
    }

    protected override void Probe(ProbeContext context)
    {
        context.Set(new { Type = "Redis Streams", _hostConfiguration.HostAddress });
        _hostConfiguration.ConnectionSupervisor.Probe(context);
    }

    protected override IAgent[] GetAgentHandles() => [_hostConfiguration.ConnectionSupervisor];
}
