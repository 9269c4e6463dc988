using MassTransit;
using MassTransit.Configuration;
using MassTransit.Middleware;
using MassTransit.Transports;
using RedisStreams.MassTransit.Transport;
using RedisStreams.Transport;

namespace RedisStreams.MassTransit.Configuration;

/// <summary>One receive endpoint: a queue stream, its consumer group and the topics it subscribes to.</summary>
internal sealed class RedisStreamsReceiveEndpointConfiguration :
    ReceiveEndpointConfiguration,
    IRedisStreamsReceiveEndpointConfigurator
{
    readonly RedisStreamsHostConfiguration _hostConfiguration;
    readonly RedisStreamsEndpointConfiguration _endpointConfiguration;
    readonly Lazy<Uri> _inputAddress;

    public RedisStreamsReceiveEndpointConfiguration(
        RedisStreamsHostConfiguration hostConfiguration,
        RedisStreamsReceiveSettings settings,
        RedisStreamsEndpointConfiguration endpointConfiguration)
        : base(hostConfiguration, endpointConfiguration)
    {
        _hostConfiguration = hostConfiguration;
        _endpointConfiguration = endpointConfiguration;
        Settings = settings;
        _inputAddress = new Lazy<Uri>(() => RedisStreamsEndpointAddress.ForQueue(_hostConfiguration.HostAddress, Settings.QueueName, Settings.AutoDelete));
    }

    public RedisStreamsReceiveSettings Settings { get; }

    public override Uri HostAddress => _hostConfiguration.HostAddress;

    public override Uri InputAddress => _inputAddress.Value;

    public TimeSpan ClaimIdleTime
    {
        set => Settings.ClaimIdleTime = value;
    }

    public int MaxDeliveryCount
    {
        set => Settings.MaxDeliveryCount = value;
    }

    public bool PurgeOnStartup
    {
        set => Settings.PurgeOnStartup = value;
    }

    public TimeSpan AutoDeleteOnIdle
    {
        set => Settings.AutoDeleteOnIdle = value;
    }

    public bool AutoDelete
    {
        set
        {
            Settings.AutoDelete = value;
            Changed("AutoDelete");
        }
    }

    public void Subscribe(string topicName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        Settings.Topics.Add(topicName);
    }

    public void Subscribe<T>()
        where T : class =>
        Settings.Topics.Add(_endpointConfiguration.Topology.Message.GetMessageTopology<T>().EntityName);

    public void Bind(string topicName) => Subscribe(topicName);

    public void Bind<T>()
        where T : class => Subscribe<T>();

    public override ReceiveEndpointContext CreateReceiveEndpointContext() => CreateContext();

    public void Build(IHost host)
    {
        Settings.InheritFrom(_hostConfiguration.Defaults);
        var context = CreateContext();
        var configurator = new PipeConfigurator<IClientContext>();
        configurator.UseFilter(new ProvisionQueueFilter(context));
        if (_hostConfiguration.DeployTopologyOnly)
        {
            configurator.UseFilter(new TransportReadyFilter<IClientContext>(context));
        }
        else
        {
            configurator.UseFilter(new ReceiveEndpointDependencyFilter<IClientContext>(context));
            configurator.UseFilter(new RedisStreamsConsumerFilter(context));
        }

        var transport = new ReceiveTransport<IClientContext>(_hostConfiguration, context, () => context.Supervisor, configurator.Build());
        var endpoint = new ReceiveEndpoint(transport, context);
        host.AddReceiveEndpoint(Settings.QueueName, endpoint);
        ReceiveEndpoint = endpoint;
    }

    public override IEnumerable<ValidationResult> Validate()
    {
        string? problem = null;
        try
        {
            RedisStreamsClient.ValidateQueueName(Settings.QueueName);
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return this.Failure("QueueName", problem);
        }

        // Bus-level defaults are inherited at build time; check them here too, so they fail at configuration.
        var defaults = _hostConfiguration.Defaults;
        if ((Settings.ClaimIdleTime ?? defaults.ClaimIdleTime) is { } claim && claim < TimeSpan.FromSeconds(1))
        {
            yield return this.Failure(Settings.QueueName, nameof(ClaimIdleTime), "must be at least one second; a shorter one would take messages away from instances that are alive");
        }

        if ((Settings.AutoDeleteOnIdle ?? defaults.AutoDeleteOnIdle) is { } idle && idle < TimeSpan.FromSeconds(1))
        {
            yield return this.Failure(Settings.QueueName, nameof(AutoDeleteOnIdle), "must be at least one second");
        }

        if ((Settings.MaxDeliveryCount ?? defaults.MaxDeliveryCount) is < 0)
        {
            yield return this.Failure(Settings.QueueName, nameof(MaxDeliveryCount), "must be 0 (no limit) or more");
        }

        if (PrefetchCount is < 0 or > 10_000)
        {
            yield return this.Failure(Settings.QueueName, nameof(PrefetchCount), "must be between 1 and 10000");
        }

        if ((Settings.PurgeOnStartup ?? defaults.PurgeOnStartup) == true)
        {
            yield return this.Warning(Settings.QueueName, "Existing messages will be purged on service start");
        }

        foreach (var result in base.Validate())
        {
            yield return result.WithParentKey(Settings.QueueName);
        }
    }

    RedisStreamsReceiveEndpointContext CreateContext()
    {
        var builder = new RedisStreamsReceiveEndpointBuilder(this);
        ApplySpecifications(builder);
        return builder.CreateReceiveEndpointContext(_hostConfiguration);
    }

    protected override bool IsAlreadyConfigured() => _inputAddress.IsValueCreated || base.IsAlreadyConfigured();

    /// <summary>Collects the topics of consumed message types as consumers connect.</summary>
    sealed class RedisStreamsReceiveEndpointBuilder : ReceiveEndpointBuilder
    {
        readonly RedisStreamsReceiveEndpointConfiguration _configuration;

        public RedisStreamsReceiveEndpointBuilder(RedisStreamsReceiveEndpointConfiguration configuration)
            : base(configuration)
        {
            _configuration = configuration;
        }

        public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
        {
            if (_configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology))
            {
                var consumeTopology = _configuration._endpointConfiguration.Topology.Consume.GetMessageTopology<T>();
                if (consumeTopology.ConfigureConsumeTopology && _configuration._endpointConfiguration.Topology.Publish is Topology.RedisStreamsPublishTopology publish &&
                    publish.TopicOf(typeof(T)) is { } topic)
                {
                    _configuration.Settings.Topics.Add(topic);
                }
            }

            return base.ConnectConsumePipe(pipe, options);
        }

        public RedisStreamsReceiveEndpointContext CreateReceiveEndpointContext(RedisStreamsHostConfiguration hostConfiguration)
        {
            var context = new RedisStreamsReceiveEndpointContext(hostConfiguration, _configuration);
            var queue = _configuration.Settings.QueueName;
            var sendTopology = _configuration._endpointConfiguration.Topology.Send;
            IErrorTransport error = new RedisStreamsErrorTransport(sendTopology.ErrorQueueNameFormatter.FormatErrorQueueName(queue));
            IDeadLetterTransport deadLetter = new RedisStreamsDeadLetterTransport(sendTopology.DeadLetterQueueNameFormatter.FormatDeadLetterQueueName(queue));
            context.GetOrAddPayload(() => error);
            context.GetOrAddPayload(() => deadLetter);
            context.GetOrAddPayload(() => hostConfiguration.Topology);
            return context;
        }
    }
}
