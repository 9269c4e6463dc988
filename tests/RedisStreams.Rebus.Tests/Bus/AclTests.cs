using System.Collections.Concurrent;
using Rebus.Activation;
using Rebus.Config;
using Rebus.Routing.TypeBased;
using RedisStreams.Rebus.Tests.Factories;
using RedisStreams.Testing;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>Rebus runs as a Redis ACL user that may touch only its key prefix.</summary>
public sealed class AclTests
{
    public sealed record AclCommand(string Text);

    public sealed record AclEvent(string Text);

    [Fact]
    public async Task A_redis_user_confined_to_the_key_prefix_sends_publishes_defers_and_dead_letters()
    {
        var redis = TestRedis.Endpoint;
        var prefix = TestNames.UniquePrefix();
        var user = "rebus-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix));
        var connection = $"redis://{user}:{password}@{redis.ConnectionString}";

        var received = new ConcurrentQueue<string>();
        using var activator = new BuiltinHandlerActivator();
        activator.Handle<AclCommand>(command =>
        {
            if (command.Text == "fail")
            {
                throw new InvalidOperationException("always fails");
            }

            received.Enqueue(command.Text);
            return Task.CompletedTask;
        });
        activator.Handle<AclEvent>(e =>
        {
            received.Enqueue(e.Text);
            return Task.CompletedTask;
        });
        var bus = Configure.With(activator)
            .Logging(l => l.None())
            .Transport(t => t.UseRedisStreams(connection, "acl-input").KeyPrefix(prefix))
            .Routing(r => r.TypeBased().Map<AclCommand>("acl-input"))
            .Start();

        await bus.Subscribe<AclEvent>();
        await bus.Publish(new AclEvent("published"));
        await bus.Send(new AclCommand("sent"));
        await bus.DeferLocal(TimeSpan.FromMilliseconds(300), new AclCommand("deferred"));
        await bus.Send(new AclCommand("fail"));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        var errors = 0L;
        while ((received.Count < 3 || errors < 1) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            errors = await admin.GetDatabase().StreamLengthAsync($"{prefix}:{{error}}");
        }

        Assert.Equal(["deferred", "published", "sent"], received.Order());
        Assert.Equal(1, errors);
        var clients = (string)(await admin.GetServers()[0].ExecuteAsync("CLIENT", "LIST"))!;
        Assert.Contains($"user={user}", clients, StringComparison.Ordinal);
    }
}
