using System.Text;
using Rebus.Activation;
using Rebus.Bus;
using Rebus.Config;
using Rebus.Routing.TypeBased;
using RedisStreams.Rebus;
using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>Rebus on Redis Streams: a one-way client produces, worker processes run buses with handlers.</summary>
internal sealed class RebusChaos : IChaosFramework
{
    const string Queue = "chaos-work";

    public string Name => "rebus";

    public string StreamKey(string prefix) => $"{prefix}:{{{Queue}}}";

    static void Tune(RedisStreamsTransportOptions options, string prefix, StackOptions stack)
    {
        if (stack.Durable)
        {
            options.RequireReplicas(1, StackOptions.ReplicationTimeout);
        }

        if (stack.AllowEvictingPolicy)
        {
            options.AllowEvictingPolicy();
        }

        if (stack.WriteRetryTimeout is { } retry)
        {
            options.WriteRetryTimeout(retry);
        }

        Tune(options, prefix);
    }

    static void Tune(RedisStreamsTransportOptions options, string prefix) => options
        .KeyPrefix(prefix)
        .Prefetch(32)
        .ClaimIdleTime(TimeSpan.FromSeconds(5))
        .MaxDeliveryCount(8) // above Rebus's 5 attempts, so Rebus routes ordinary failures itself
        .ConfigureEngine(o =>
        {
            o.IdlePollInterval = TimeSpan.FromSeconds(2);
            o.ConsumerExpiry = TimeSpan.FromSeconds(10);
        });

    public Task<IChaosProducer> CreateProducerAsync(string connection, string prefix, StackOptions options)
    {
        var bus = Configure.OneWayClient()
            .Logging(l => l.None())
            .Transport(t => Tune(t.UseRedisStreamsAsOneWayClient(connection + ",connectTimeout=2000"), prefix, options))
            .Routing(r => r.TypeBased().Map<ChaosMessage>(Queue))
            .Start();
        return Task.FromResult<IChaosProducer>(new Producer(bus));
    }

    sealed class Producer(IBus bus) : IChaosProducer
    {
        public async Task<int?> SendOnceAsync(string id, bool publish, CancellationToken cancellationToken)
        {
            await (publish ? bus.Publish(new ChaosMessage(id)) : bus.Send(new ChaosMessage(id))).WaitAsync(cancellationToken);
            return null;
        }

        public async Task SendAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            foreach (var chunk in ids.Chunk(100))
            {
                await Task.WhenAll(chunk.Select(id => Retry.AnyUntilDoneAsync(() => bus.Send(new ChaosMessage(id)), cancellationToken)));
            }
        }

        public ValueTask DisposeAsync()
        {
            bus.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    public async Task RunWorkerAsync(string connection, string prefix, StackOptions options, Ledger ledger, CancellationToken stop)
    {
        using var activator = new BuiltinHandlerActivator();
        activator.Handle<ChaosMessage>(message =>
        {
            if (message.Id == ChaosSettings.PoisonDie)
            {
                Environment.Exit(42);
            }

            if (message.Id == ChaosSettings.PoisonThrow)
            {
                throw new InvalidOperationException("This handler always fails on the poison message.");
            }

            ledger.Record(message.Id);
            return Task.CompletedTask;
        });
        var bus = Configure.With(activator)
            .Logging(l => l.Console(global::Rebus.Logging.LogLevel.Error))
            .Transport(t => Tune(t.UseRedisStreams(connection + ",connectTimeout=2000", Queue), prefix, options))
            .Options(o =>
            {
                o.SetNumberOfWorkers(1);
                o.SetMaxParallelism(8);
            })
            .Start();
        if (options.Publish)
        {
            await Retry.AnyUntilDoneAsync(() => bus.Subscribe<ChaosMessage>(), stop);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // Disposing the activator stops the bus: handlers finish, held messages go back.
        }
    }

    public Task<IReadOnlyList<string>> VerifyFailuresAsync(IDatabase db, string prefix, int malformedEntries) =>
        PoisonCheck.VerifyAsync(db, StreamKey(prefix), $"{prefix}:{{error}}", "Rebus's error queue", malformedEntries, killerMayBeInErrorQueue: true);
}
