using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Configuration;

/// <summary>What <c>UsingRedisStreams</c>'s callback configures.</summary>
internal sealed class RedisStreamsBusFactoryConfigurator :
    BusFactoryConfigurator,
    IRedisStreamsBusFactoryConfigurator,
    IBusFactory
{
    readonly RedisStreamsBusConfiguration _busConfiguration;
    readonly RedisStreamsReceiveSettings _busEndpointSettings;
    string _keyPrefix = "rs";

    public RedisStreamsBusFactoryConfigurator(RedisStreamsBusConfiguration busConfiguration)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        var queueName = busConfiguration.Topology.Consume.CreateTemporaryQueueName("bus");
        _busEndpointSettings = new RedisStreamsReceiveSettings(queueName) { AutoDelete = true };
    }

    public TimeSpan ClaimIdleTime
    {
        set => _busConfiguration.Defaults.ClaimIdleTime = value;
    }

    public int MaxDeliveryCount
    {
        set => _busConfiguration.Defaults.MaxDeliveryCount = value;
    }

    public bool PurgeOnStartup
    {
        set => _busConfiguration.Defaults.PurgeOnStartup = value;
    }

    public TimeSpan AutoDeleteOnIdle
    {
        set => _busConfiguration.Defaults.AutoDeleteOnIdle = value;
    }

    Action<RedisStreamsOptions>? _configureEngine;

    public string KeyPrefix
    {
        set
        {
            _keyPrefix = value;
            if (_busConfiguration.HostConfiguration.IsConfigured)
            {
                _busConfiguration.HostConfiguration.Settings.KeyPrefix = value;
            }
        }
    }

    /// <summary>Where the engine logs; the container's logger factory when the bus comes from the container.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    public void Host(string connection) => Host(connection, null);

    public void Host(string connection, Action<IRedisStreamsHostConfigurator>? configure)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var host = new RedisStreamsHostConfigurator();
        configure?.Invoke(host);
        _busConfiguration.HostConfiguration.Settings = new RedisStreamsHostSettings
        {
            Connection = connection,
            ConfigureConnection = host.Changes,
            KeyPrefix = _keyPrefix,
            ConfigureEngine = _configureEngine,
            LoggerFactory = LoggerFactory,
        };
    }

    public void Host(IConnectionMultiplexer multiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        _busConfiguration.HostConfiguration.Settings = new RedisStreamsHostSettings
        {
            Multiplexer = multiplexer,
            KeyPrefix = _keyPrefix,
            ConfigureEngine = _configureEngine,
            LoggerFactory = LoggerFactory,
        };
    }

    public void ConfigureEngine(Action<RedisStreamsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);

        // Validated now, so a bad value fails at bus configuration.
        configure(new RedisStreamsOptions());
        _configureEngine += configure;
        if (_busConfiguration.HostConfiguration.IsConfigured)
        {
            _busConfiguration.HostConfiguration.Settings.ConfigureEngine = _configureEngine;
        }
    }

    public void OverrideDefaultBusEndpointQueueName(string queueName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        _busEndpointSettings.QueueName = queueName;
    }

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure) =>
        _busConfiguration.HostConfiguration.CreateReceiveEndpointConfiguration(_busEndpointSettings, _busConfiguration.BusEndpointConfiguration, configure);

    public override IEnumerable<ValidationResult> Validate()
    {
        foreach (var result in base.Validate())
        {
            yield return result;
        }

        if (string.IsNullOrWhiteSpace(_busEndpointSettings.QueueName))
        {
            yield return this.Failure("Bus", "The bus queue name must not be empty");
        }
    }

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter, Action<IRedisStreamsReceiveEndpointConfigurator>? configureEndpoint) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter, configureEndpoint);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter, Action<IReceiveEndpointConfigurator>? configureEndpoint) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IRedisStreamsReceiveEndpointConfigurator> configureEndpoint) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configureEndpoint) =>
        _busConfiguration.HostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);
}

/// <summary>Creates the bus when the container first asks for it.</summary>
internal sealed class RedisStreamsRegistrationBusFactory : TransportRegistrationBusFactory<IRedisStreamsReceiveEndpointConfigurator>
{
    readonly RedisStreamsBusConfiguration _busConfiguration;
    readonly Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator>? _configure;

    public RedisStreamsRegistrationBusFactory(Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator>? configure)
        : this(new RedisStreamsBusConfiguration(new Topology.RedisStreamsTopologyConfiguration(Topology.RedisStreamsTopologyConfiguration.CreateMessageTopology())), configure)
    {
    }

    RedisStreamsRegistrationBusFactory(RedisStreamsBusConfiguration busConfiguration, Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator>? configure)
        : base(busConfiguration.HostConfiguration)
    {
        _busConfiguration = busConfiguration;
        _configure = configure;
    }

    public override IBusInstance CreateBus(IBusRegistrationContext context, IEnumerable<IBusInstanceSpecification> specifications, string busName)
    {
        var configurator = new RedisStreamsBusFactoryConfigurator(_busConfiguration)
        {
            LoggerFactory = context.GetService<ILoggerFactory>(),
        };
        var options = context.GetService<IOptionsMonitor<RedisStreamsTransportOptions>>()?.Get(busName) ?? new RedisStreamsTransportOptions();
        options.ApplyTo(configurator, _busConfiguration.HostConfiguration);
        return CreateBus(configurator, context, _configure, specifications);
    }
}
