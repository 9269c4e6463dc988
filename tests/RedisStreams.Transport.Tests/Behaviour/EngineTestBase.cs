using System.Text;
using Microsoft.Extensions.Logging;
using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>
/// Per-test state for behaviour tests: a real Redis (standalone or cluster), a connection, a unique key
/// prefix and engine timings short enough for tests. Receivers and clients made here are stopped at the end.
/// </summary>
public abstract class EngineTestBase : IAsyncLifetime
{
    readonly List<QueueReceiver> _receivers = [];
    readonly List<IAsyncDisposable> _disposables = [];

    protected RedisEndpoint Redis { get; private set; } = null!;

    protected IConnectionMultiplexer Connection { get; private set; } = null!;

    protected IDatabase Db => Connection.GetDatabase();

    protected string Prefix { get; } = TestNames.UniquePrefix();

    protected RedisStreamsClient Client { get; private set; } = null!;

    protected abstract Task<RedisEndpoint> GetRedisAsync();

    public async Task InitializeAsync()
    {
        Redis = await GetRedisAsync();
        Connection = await Redis.ConnectAsync();
        Client = NewClient();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }

        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        Connection.Dispose();
    }

    /// <summary>Engine settings for tests: this test's prefix and timings in the low seconds.</summary>
    protected RedisStreamsOptions TestOptions(Action<RedisStreamsOptions>? adjust = null)
    {
        var options = new RedisStreamsOptions
        {
            KeyPrefix = Prefix,
            ClaimIdleTime = TimeSpan.FromSeconds(30),
            IdlePollInterval = TimeSpan.FromMilliseconds(500),
            ConsumerExpiry = TimeSpan.FromSeconds(30),
            DelayedPollInterval = TimeSpan.FromSeconds(1),
            TrimInterval = TimeSpan.FromMilliseconds(200),
        };
        adjust?.Invoke(options);
        return options;
    }

    /// <summary>A client on the shared connection (another "instance" in the same process), disposed at the end.</summary>
    protected RedisStreamsClient NewClient(Action<RedisStreamsOptions>? adjust = null, ILoggerFactory? logs = null)
    {
        var client = new RedisStreamsClient(Connection, TestOptions(adjust), logs);
        _disposables.Add(client);
        return client;
    }

    /// <summary>A client on its own connection, as a separate process would have.</summary>
    protected async Task<RedisStreamsClient> NewIsolatedClientAsync(Action<RedisStreamsOptions>? adjust = null, ILoggerFactory? logs = null)
    {
        var client = await RedisStreamsClient.ConnectAsync(Redis.ConnectionString, TestOptions(adjust), logs);
        _disposables.Add(client);
        return client;
    }

    protected async Task<QueueReceiver> StartReceiverAsync(string queue, RedisStreamsClient? client = null, string? group = null, int? prefetch = null)
    {
        var receiver = (client ?? Client).CreateReceiver(queue, group, prefetch);
        _receivers.Add(receiver);
        await receiver.StartAsync();
        return receiver;
    }

    protected static OutgoingMessage Message(string id, string? body = null, TimeSpan? delay = null, TimeSpan? ttl = null) =>
        new(new Dictionary<string, string> { ["id"] = id }, Encoding.UTF8.GetBytes(body ?? $"body of {id}"))
        {
            Delay = delay,
            TimeToLive = ttl,
        };

    protected static string IdOf(InboundMessage message) => message.Headers["id"];

    /// <summary>Receives and acks until <paramref name="expected"/> messages arrived or the time is up.</summary>
    protected static async Task<List<InboundMessage>> ReceiveAndAckAsync(QueueReceiver receiver, int expected, TimeSpan? within = null)
    {
        var received = new List<InboundMessage>();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (received.Count < expected && DateTime.UtcNow < deadline)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromMilliseconds(200));
            if (message is not null)
            {
                received.Add(message);
                await receiver.AckAsync(message);
            }
        }

        return received;
    }

    /// <summary>
    /// Publishes probes to a topic until one reaches a queue (the subscriptions are back), and fails when none
    /// does within the time. Returns how many probes reached no queue before.
    /// </summary>
    protected static async Task<int> PublishUntilRoutedAsync(RedisStreamsClient publisher, string topic, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        for (var unrouted = 0; ; unrouted++)
        {
            try
            {
                if (await publisher.PublishAsync(topic, Message($"probe-{Guid.NewGuid():N}")) > 0)
                {
                    return unrouted;
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis is still coming back.
            }

            Assert.True(DateTime.UtcNow < deadline, $"Publishing to '{topic}' still reached no queue after {unrouted + 1} attempts: the subscriptions never came back.");
            await Task.Delay(50);
        }
    }

    /// <summary>Receives and acks until every one of <paramref name="ids"/> arrived (probes and others are acked and skipped).</summary>
    protected static async Task<HashSet<string>> ReceiveIdsAsync(QueueReceiver receiver, IEnumerable<string> ids, TimeSpan? within = null)
    {
        var missing = new HashSet<string>(ids, StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (missing.Count > 0 && DateTime.UtcNow < deadline)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromMilliseconds(200));
            if (message is not null)
            {
                missing.Remove(IdOf(message));
                await receiver.AckAsync(message);
            }
        }

        return missing;
    }

    /// <summary>
    /// Deletes the subscription registry of this test's prefix (and nothing else): every topic's keys on every
    /// primary and the version key; or, with <paramref name="onlyOn"/>, only the topic keys on that primary, as
    /// when one shard of a cluster lost its data.
    /// </summary>
    /// <returns>The keys deleted.</returns>
    protected async Task<IReadOnlyList<string>> DeleteRegistryKeysAsync(IServer? onlyOn = null)
    {
        var keys = new List<RedisKey>();
        foreach (var server in onlyOn is null ? await Redis.PrimariesAsync() : [onlyOn])
        {
            await foreach (var key in server.KeysAsync(pattern: $"{Prefix}:topic:*"))
            {
                keys.Add(key);
            }
        }

        if (onlyOn is null)
        {
            keys.Add($"{Prefix}:registry-version");
        }

        var deleted = new List<string>();
        foreach (var key in keys)
        {
            if (await Db.KeyDeleteAsync(key))
            {
                deleted.Add(key!);
            }
        }

        return deleted;
    }

    /// <summary>Asserts that nothing arrives for a while.</summary>
    protected static async Task AssertNothingArrivesAsync(QueueReceiver receiver, TimeSpan during)
    {
        var message = await receiver.ReceiveAsync(during);
        Assert.True(message is null, message is null ? null : $"Unexpected message {message.EntryId} with headers {string.Join(", ", message.Headers)}");
    }

    /// <summary>The stream key of a queue, as the engine lays keys out.</summary>
    protected RedisKey StreamKey(string queue) => $"{Prefix}:{{{queue}}}";

    protected RedisKey DeadLetterKey(string queue) => $"{Prefix}:{{{queue}}}:dead-letter";

    protected RedisKey DelayedKey(string queue) => $"{Prefix}:{{{queue}}}:delayed";

    protected RedisKey DelayedDataKey(string queue) => $"{Prefix}:{{{queue}}}:delayed-data";

    protected RedisKey OversizedKey(string queue) => $"{Prefix}:{{{queue}}}:oversized";

    protected async Task<long> ServerTimeMillisecondsAsync()
    {
        var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
        return (long.Parse((string)time[0]!, System.Globalization.CultureInfo.InvariantCulture) * 1000) + (long.Parse((string)time[1]!, System.Globalization.CultureInfo.InvariantCulture) / 1000);
    }
}
