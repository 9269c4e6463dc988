using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using MassTransit.Util;
using RedisStreams.MassTransit.Topology;
using RedisStreams.MassTransit.Transport;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Configuration;

/// <summary>The Redis host of a bus: its connection, topology and receive endpoint configurations.</summary>
internal sealed class RedisStreamsHostConfiguration :
    BaseHostConfiguration<RedisStreamsReceiveEndpointConfiguration, IRedisStreamsReceiveEndpointConfigurator>
{
    readonly RedisStreamsBusConfiguration _busConfiguration;
    readonly Recycle<ClientContextSupervisor> _supervisor;
    readonly RedisStreamsBusTopology _topology;
    RedisStreamsHostSettings? _settings;

    public RedisStreamsHostConfiguration(RedisStreamsBusConfiguration busConfiguration, RedisStreamsTopologyConfiguration topology)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _topology = new RedisStreamsBusTopology(this, topology);
        ReceiveTransportRetryPolicy = Retry.CreatePolicy(x =>
        {
            x.Handle<ConnectionException>();
            x.Handle<RedisException>();
            x.Handle<TimeoutException>();

            // The engine's own: an endpoint that could not register its subscriptions through an outage, out of
            // memory, or on a server it refuses (evicting policy) starts again later, once that is over or fixed.
            x.Handle<RedisStreamsWriteException>();
            x.Handle<RedisStreamsConnectionException>();
            x.Exponential(1000, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));
        });

        // Sends must fail within a bound during an outage (MassTransit otherwise reuses the receive policy above
        // and retries for the host's lifetime). The engine already retries writes for WriteRetryTimeout and throws
        // its own exceptions, which this policy leaves alone; what is left is a connection that cannot be made at
        // all (refused credentials, an evicting maxmemory-policy), tried a few times over a few seconds.
        SendTransportRetryPolicy = Retry.CreatePolicy(x =>
        {
            x.Handle<ConnectionException>();
            x.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(300));
        });
        _supervisor = new Recycle<ClientContextSupervisor>(() => new ClientContextSupervisor(Settings, ConnectionHealth));
    }

    /// <summary>Turns every endpoint of the bus Unhealthy at once when the bus's connection to Redis is lost.</summary>
    public ConnectionHealth ConnectionHealth { get; } = new();

    public ClientContextSupervisor ConnectionSupervisor => _supervisor.Supervisor;

    public RedisStreamsHostSettings Settings
    {
        get => _settings ?? throw new ConfigurationException("The Redis host was not configured. Call cfg.Host(\"redis://host:6379\").");
        set => _settings = value ?? throw new ArgumentNullException(nameof(value));
    }

    public bool IsConfigured => _settings is not null;

    public override Uri HostAddress => Settings.HostAddress;

    public override IBusTopology Topology => _topology;

    public RedisStreamsBusTopology BusTopology => _topology;

    public override IRetryPolicy ReceiveTransportRetryPolicy { get; }

    public override IRetryPolicy SendTransportRetryPolicy { get; }

    public RedisStreamsReceiveSettings Defaults => _busConfiguration.Defaults;

    /// <summary>Endpoint settings bound from configuration, by queue name; applied before the endpoint's own callback.</summary>
    public IDictionary<string, RedisStreamsEndpointOptions>? EndpointOptions { get; set; }

    public void ApplyEndpointDefinition(IRedisStreamsReceiveEndpointConfigurator configurator, IEndpointDefinition definition)
    {
        if (definition.IsTemporary)
        {
            configurator.AutoDelete = true;
        }

        base.ApplyEndpointDefinition(configurator, definition);
    }

    public RedisStreamsReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(
        RedisStreamsReceiveSettings settings,
        RedisStreamsEndpointConfiguration endpointConfiguration,
        Action<IRedisStreamsReceiveEndpointConfigurator>? configure)
    {
        var configuration = new RedisStreamsReceiveEndpointConfiguration(this, settings, endpointConfiguration);
        if (EndpointOptions is not null && EndpointOptions.TryGetValue(settings.QueueName, out var bound))
        {
            bound.ApplyTo(configuration, $"RedisStreamsTransportOptions.Endpoints[{settings.QueueName}]");
        }

        configure?.Invoke(configuration);
        Observers.EndpointConfigured(configuration);
        Add(configuration);
        return configuration;
    }

    public RedisStreamsReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<IRedisStreamsReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(new RedisStreamsReceiveSettings(queueName), _busConfiguration.CreateEndpointConfiguration(), configure);

    public override IReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<IReceiveEndpointConfigurator>? configure) =>
        CreateReceiveEndpointConfiguration(queueName, (Action<IRedisStreamsReceiveEndpointConfigurator>?)configure);

    public override void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter, Action<IRedisStreamsReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        ReceiveEndpoint(queueName, configurator =>
        {
            ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override void ReceiveEndpoint(string queueName, Action<IRedisStreamsReceiveEndpointConfigurator>? configureEndpoint) =>
        CreateReceiveEndpointConfiguration(queueName, configureEndpoint);

    public override IEnumerable<ValidationResult> Validate()
    {
        if (_settings is null)
        {
            yield return this.Failure("Host", "No Redis connection was configured. Call cfg.Host(\"redis://host:6379\") or cfg.Host(multiplexer).");
        }
        else
        {
            foreach (var problem in _settings.Validate())
            {
                yield return this.Failure("Host", problem);
            }
        }

        foreach (var result in base.Validate())
        {
            yield return result;
        }
    }

    public override IHost Build()
    {
        var host = new RedisStreamsHost(this, _topology);
        foreach (var endpoint in GetConfiguredEndpoints())
        {
            endpoint.Build(host);
        }

        return host;
    }
}
