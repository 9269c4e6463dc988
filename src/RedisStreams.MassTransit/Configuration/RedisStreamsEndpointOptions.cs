using RedisStreams.Transport;

namespace MassTransit;

/// <summary>
/// Receive endpoint settings bindable from configuration; <c>null</c> (absent) leaves MassTransit's or the
/// transport's default. See <see cref="RedisStreamsTransportOptions"/>.
/// </summary>
public class RedisStreamsEndpointOptions
{
    /// <summary>Messages one instance holds from the queue, in flight or buffered (1-10000).</summary>
    public int? PrefetchCount { get; set; }

    /// <summary>Messages handled at once; the default is the prefetch count.</summary>
    public int? ConcurrentMessageLimit { get; set; }

    /// <summary>How long a message may sit with an instance that shows no sign of life before another takes it over (at least 1 s; default 1 min).</summary>
    public TimeSpan? ClaimIdleTime { get; set; }

    /// <summary>Redis deliveries after which a message that never settles goes to the dead-letter stream (0 = no limit; default 20).</summary>
    public int? MaxDeliveryCount { get; set; }

    /// <summary>Remove what is in the queue when the endpoint first starts.</summary>
    public bool? PurgeOnStartup { get; set; }

    /// <summary>For auto-delete queues: how long their keys outlive an instance that died (at least 1 s; default 5 min).</summary>
    public TimeSpan? AutoDeleteOnIdle { get; set; }

    /// <summary>Checks the values so a bad configuration fails when the bus is created, naming the setting.</summary>
    internal void Validate(string path)
    {
        var probe = new RedisStreamsOptions();
        Check(path, nameof(PrefetchCount), () =>
        {
            if (PrefetchCount is { } prefetch)
            {
                probe.PrefetchCount = prefetch;
            }
        });
        Check(path, nameof(ConcurrentMessageLimit), () =>
        {
            if (ConcurrentMessageLimit is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(ConcurrentMessageLimit), ConcurrentMessageLimit, "must be at least 1");
            }
        });
        Check(path, nameof(ClaimIdleTime), () =>
        {
            if (ClaimIdleTime is { } claim)
            {
                probe.ClaimIdleTime = claim;
            }
        });
        Check(path, nameof(MaxDeliveryCount), () =>
        {
            if (MaxDeliveryCount is { } max)
            {
                probe.MaxDeliveryCount = max;
            }
        });
        Check(path, nameof(AutoDeleteOnIdle), () =>
        {
            if (AutoDeleteOnIdle is { } idle && idle < TimeSpan.FromSeconds(1))
            {
                throw new ArgumentOutOfRangeException(nameof(AutoDeleteOnIdle), idle, "must be at least one second");
            }
        });
    }

    /// <summary>Sets the configured values on the bus, as every endpoint's defaults.</summary>
    internal void ApplyTo(IRedisStreamsBusFactoryConfigurator bus, string path)
    {
        Validate(path);
        if (PrefetchCount is { } prefetch)
        {
            bus.PrefetchCount = prefetch;
        }

        if (ConcurrentMessageLimit is { } limit)
        {
            bus.ConcurrentMessageLimit = limit;
        }

        ApplyQueueSettings(bus);
    }

    /// <summary>Sets the configured values on one endpoint.</summary>
    internal void ApplyTo(IRedisStreamsReceiveEndpointConfigurator endpoint, string path)
    {
        Validate(path);
        if (PrefetchCount is { } prefetch)
        {
            endpoint.PrefetchCount = prefetch;
        }

        if (ConcurrentMessageLimit is { } limit)
        {
            endpoint.ConcurrentMessageLimit = limit;
        }

        ApplyQueueSettings(endpoint);
    }

    void ApplyQueueSettings(IRedisStreamsQueueEndpointConfigurator queue)
    {
        if (ClaimIdleTime is { } claim)
        {
            queue.ClaimIdleTime = claim;
        }

        if (MaxDeliveryCount is { } max)
        {
            queue.MaxDeliveryCount = max;
        }

        if (PurgeOnStartup is { } purge)
        {
            queue.PurgeOnStartup = purge;
        }

        if (AutoDeleteOnIdle is { } idle)
        {
            queue.AutoDeleteOnIdle = idle;
        }
    }

    static void Check(string path, string name, Action check)
    {
        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{path}.{name} is invalid: {e.Message}", e);
        }
    }
}
