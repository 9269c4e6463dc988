using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>MassTransit on Redis Streams: a producer bus in the runner, consumer buses in worker processes.</summary>
internal sealed class MassTransitChaos : IChaosFramework
{
    const string Queue = "chaos-work";

    public string Name => "masstransit";

    public string StreamKey(string prefix) => $"{prefix}:{{{Queue}}}";

    static ServiceProvider Build(string connection, string prefix, StackOptions stack, Action<IBusRegistrationConfigurator>? registrations = null, Action<IBusRegistrationContext, IRedisStreamsBusFactoryConfigurator>? bus = null)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            registrations?.Invoke(x);
            x.UsingRedisStreams((context, cfg) =>
            {
                cfg.Host(connection + ",connectTimeout=2000");
                cfg.KeyPrefix = prefix;
                cfg.ClaimIdleTime = TimeSpan.FromSeconds(5);
                cfg.MaxDeliveryCount = 5;
                cfg.ConfigureEngine(o =>
                {
                    o.IdlePollInterval = TimeSpan.FromSeconds(2);
                    o.ConsumerExpiry = TimeSpan.FromSeconds(10);
                    o.AllowEvictingPolicy = stack.AllowEvictingPolicy;
                    if (stack.Durable)
                    {
                        o.RequiredReplicas = 1;
                        o.ReplicationTimeout = StackOptions.ReplicationTimeout;
                    }

                    if (stack.WriteRetryTimeout is { } retry)
                    {
                        o.WriteRetryTimeout = retry;
                    }
                });
                bus?.Invoke(context, cfg);
            });
        });
        return services.BuildServiceProvider();
    }

    public async Task<IChaosProducer> CreateProducerAsync(string connection, string prefix, StackOptions options)
    {
        var provider = Build(connection, prefix, options);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        return new Producer(provider, bus, await bus.GetSendEndpoint(new Uri($"queue:{Queue}")));
    }

    sealed class Producer(ServiceProvider provider, IBusControl bus, ISendEndpoint endpoint) : IChaosProducer
    {
        public async Task<int?> SendOnceAsync(string id, bool publish, CancellationToken cancellationToken)
        {
            await (publish ? bus.Publish(new ChaosMessage(id), cancellationToken) : endpoint.Send(new ChaosMessage(id), cancellationToken));
            return null;
        }

        public async Task SendAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            foreach (var chunk in ids.Chunk(100))
            {
                await Task.WhenAll(chunk.Select(id => Retry.AnyUntilDoneAsync(() => endpoint.Send(new ChaosMessage(id), cancellationToken), cancellationToken)));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await bus.StopAsync();
            await provider.DisposeAsync();
        }
    }

    public async Task RunWorkerAsync(string connection, string prefix, StackOptions options, Ledger ledger, CancellationToken stop)
    {
        // The consumer on the endpoint subscribes it to ChaosMessage's topic, so published messages arrive too.
        await using var provider = Build(
            connection,
            prefix,
            options,
            x =>
            {
                x.AddSingleton(ledger);
                x.AddConsumer<ChaosConsumer>();
            },
            (context, cfg) => cfg.ReceiveEndpoint(Queue, e =>
            {
                e.PrefetchCount = 32;
                e.ConcurrentMessageLimit = 8;
                e.ConfigureConsumer<ChaosConsumer>(context);
            }));
        var bus = provider.GetRequiredService<IBusControl>();
        await Retry.AnyUntilDoneAsync(() => bus.StartAsync(stop), stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
        }

        await bus.StopAsync(CancellationToken.None);
    }

    public Task<IReadOnlyList<string>> VerifyFailuresAsync(IDatabase db, string prefix, int malformedEntries) =>
        PoisonCheck.VerifyAsync(db, StreamKey(prefix), $"{prefix}:{{{Queue}_error}}", $"{Queue}_error", malformedEntries, killerMayBeInErrorQueue: false);
}

/// <summary>Records each message before MassTransit acknowledges it; the poison behaves as poison.</summary>
internal sealed class ChaosConsumer(Ledger ledger) : IConsumer<ChaosMessage>
{
    public Task Consume(ConsumeContext<ChaosMessage> context)
    {
        switch (context.Message.Id)
        {
            case ChaosSettings.PoisonDie:
                Environment.Exit(42);
                break;
            case ChaosSettings.PoisonThrow:
                throw new InvalidOperationException("This consumer always fails on the poison message.");
        }

        ledger.Record(context.Message.Id);
        return Task.CompletedTask;
    }
}
