using MassTransit;
using RedisStreams.Testing;

namespace RedisStreams.MassTransit.Tests;

/// <summary>MassTransit runs as a Redis ACL user that may touch only the bus's key prefix.</summary>
public class AclSpecs
{
    [Fact]
    public async Task A_redis_user_confined_to_the_key_prefix_runs_send_publish_faults_and_request_response()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var user = "mt-" + Guid.NewGuid().ToString("N")[..8];
        var password = "acl-" + Guid.NewGuid().ToString("N");
        var admin = await redis.AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, prefix));

        await using var bus = await BusFixture.StartAsync(
            x =>
            {
                x.AddConsumer<PingResponder>();
                x.AddConsumer<OrderSubmittedConsumer>();
                x.AddConsumer<FailingConsumer>();
            },
            (_, cfg) => cfg.Host($"redis://{user}:{password}@{redis.ConnectionString}"),
            prefix: prefix);

        var response = await bus.Harness.GetRequestClient<PingMessage>().GetResponse<PongMessage>(new PingMessage(Guid.NewGuid()));
        await bus.Bus.Publish(new OrderSubmitted(Guid.NewGuid()));
        await bus.Bus.Publish(new FailingMessage(Guid.NewGuid()));

        Assert.NotEqual(Guid.Empty, response.Message.Id);
        Assert.True(await bus.Harness.Consumed.Any<OrderSubmitted>());
        Assert.True(await bus.Harness.Published.Any<Fault<FailingMessage>>());
        var clients = (string)(await admin.GetServers()[0].ExecuteAsync("CLIENT", "LIST"))!;
        Assert.Contains($"user={user}", clients, StringComparison.Ordinal);
    }
}
