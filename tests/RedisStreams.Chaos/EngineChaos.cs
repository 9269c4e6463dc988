using StackExchange.Redis;
using RedisStreams.Transport;

namespace RedisStreams.Chaos;

/// <summary>The engine on its own: the floor both adapters stand on.</summary>
internal sealed class EngineChaos : IChaosFramework
{
    const string Queue = "chaos-work";

    public string Name => "engine";

    public string StreamKey(string prefix) => $"{prefix}:{{{Queue}}}";

    static RedisStreamsOptions Options(string prefix, StackOptions stack)
    {
        var options = new RedisStreamsOptions
        {
            KeyPrefix = prefix,
            PrefetchCount = 32,
            ClaimIdleTime = TimeSpan.FromSeconds(5),
            MaxDeliveryCount = 5,
            IdlePollInterval = TimeSpan.FromSeconds(2),
            ConsumerExpiry = TimeSpan.FromSeconds(10),
            AllowEvictingPolicy = stack.AllowEvictingPolicy,
        };
        if (stack.Durable)
        {
            options.RequiredReplicas = 1;
            options.ReplicationTimeout = StackOptions.ReplicationTimeout;
        }

        if (stack.WriteRetryTimeout is { } retry)
        {
            options.WriteRetryTimeout = retry;
        }

        return options;
    }

    public async Task<IChaosProducer> CreateProducerAsync(string connection, string prefix, StackOptions options) =>
        new Producer(await RedisStreamsClient.ConnectAsync(connection + ",connectTimeout=2000", Options(prefix, options)));

    sealed class Producer(RedisStreamsClient client) : IChaosProducer
    {
        public async Task<int?> SendOnceAsync(string id, bool publish, CancellationToken cancellationToken)
        {
            var message = new OutgoingMessage(new Dictionary<string, string> { ["id"] = id }, new byte[256]);
            if (publish)
            {
                return await client.PublishAsync(StackOptions.Topic, message, cancellationToken);
            }

            await client.SendAsync(Queue, message, cancellationToken);
            return null;
        }

        public async Task SendAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            foreach (var chunk in ids.Chunk(250))
            {
                var batch = chunk.Select(id => (Queue, new OutgoingMessage(new Dictionary<string, string> { ["id"] = id }, new byte[256]))).ToList();
                await Retry.UntilDoneAsync(() => client.SendManyAsync(batch, cancellationToken), cancellationToken);
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    public async Task RunWorkerAsync(string connection, string prefix, StackOptions options, Ledger ledger, CancellationToken stop)
    {
        await using var client = await RedisStreamsClient.ConnectAsync(connection + ",connectTimeout=2000", Options(prefix, options));
        if (options.Publish)
        {
            await Retry.UntilDoneAsync(() => client.Subscriptions.SubscribeAsync(StackOptions.Topic, Queue), stop);
        }

        var receiver = client.CreateReceiver(Queue);
        await Retry.UntilDoneAsync(() => receiver.StartAsync(stop), stop);
        var handlers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                InboundMessage? message;
                try
                {
                    message = await receiver.ReceiveAsync(Timeout.InfiniteTimeSpan, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (message is null)
                {
                    break;
                }

                var id = message.Headers["id"];
                if (id == ChaosSettings.PoisonDie)
                {
                    // A process that dies on this message every time: only Redis's delivery count can stop the loop.
                    Environment.Exit(42);
                }

                try
                {
                    if (id == ChaosSettings.PoisonThrow)
                    {
                        await receiver.ReturnAsync(message);
                        continue;
                    }

                    ledger.Record(id);
                    await receiver.AckAsync(message);
                }
                catch (Exception e) when (e is RedisException or RedisStreamsWriteException)
                {
                    // Unsettled (or its ack not confirmed by a replica): it comes back after the claim idle time.
                    // A duplicate, never a loss.
                }
            }
        })).ToList();
        await Task.WhenAll(handlers);
        await receiver.StopAsync(CancellationToken.None);
        await receiver.DisposeAsync();
    }

    public async Task<IReadOnlyList<string>> VerifyFailuresAsync(IDatabase db, string prefix, int malformedEntries)
    {
        var problems = new List<string>();
        var dead = await db.StreamRangeAsync($"{StreamKey(prefix)}:dead-letter");
        var reasons = dead.Select(e => (Id: (string?)e.Values.FirstOrDefault(v => v.Name == "id").Value, Reason: (string?)e.Values.FirstOrDefault(v => v.Name == "$dead-letter-reason").Value)).ToList();
        if (reasons.Count(r => r.Id == ChaosSettings.PoisonDie) != 1)
        {
            problems.Add($"the message that kills its consumer should be dead-lettered once; found {reasons.Count(r => r.Id == ChaosSettings.PoisonDie)}");
        }

        if (reasons.Count(r => r.Id == ChaosSettings.PoisonThrow) != 1)
        {
            problems.Add($"the message that is always given back should be dead-lettered once; found {reasons.Count(r => r.Id == ChaosSettings.PoisonThrow)}");
        }

        var malformed = reasons.Count(r => r.Reason?.StartsWith("malformed", StringComparison.Ordinal) == true);
        if (malformed != malformedEntries)
        {
            problems.Add($"{malformedEntries} malformed entries were written; {malformed} reached the dead-letter stream");
        }

        if (dead.Length != 2 + malformedEntries)
        {
            problems.Add($"the dead-letter stream holds {dead.Length} entries; expected only the {2 + malformedEntries} injected: {string.Join("; ", reasons.Select(r => $"{r.Id}: {r.Reason}"))}");
        }

        return problems;
    }
}
