using RedisStreams.Samples;

namespace RedisStreams.MassTransit.Migration;

/// <summary>
/// The broker the sample talks to. On Redis: a redis-server of its own with an ACL user <c>orders</c>, so the
/// RabbitMQ application's <c>h.Username</c>/<c>h.Password</c> lines run unchanged.
/// </summary>
internal sealed class BrokerSettings : IDisposable
{
    readonly LocalRedis? _redis;

    BrokerSettings(string host, ushort port, string password, LocalRedis? redis)
    {
        Host = host;
        Port = port;
        Password = password;
        _redis = redis;
    }

    public string Host { get; }

    public ushort Port { get; }

    public string Password { get; }

    public static async Task<BrokerSettings?> StartAsync()
    {
#if RABBITMQ
        await Task.CompletedTask;
        return new BrokerSettings("localhost", 5672, Environment.GetEnvironmentVariable("RABBITMQ_PASSWORD") ?? "guest", null);
#else
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("REDIS_URL")))
        {
            Console.WriteLine("Migration sample not run: it starts a redis-server of its own with an ACL user, and REDIS_URL is set.");
            return null;
        }

        const string password = "orders-secret";
        var redis = await LocalRedis.StartOwnAsync("--user", "orders", "on", ">" + password, "~*", "&*", "+@all");
        return new BrokerSettings("127.0.0.1", checked((ushort)redis.Port), password, redis);
#endif
    }

    public void Dispose() => _redis?.Dispose();
}
