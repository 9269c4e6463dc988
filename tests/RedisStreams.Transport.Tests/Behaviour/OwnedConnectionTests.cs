using RedisStreams.Testing;
using StackExchange.Redis;

namespace RedisStreams.Transport.Tests.Behaviour;

/// <summary>Connections the engine opens itself from the caller's StackExchange.Redis settings.</summary>
public sealed class OwnedConnectionTests
{
    [Fact]
    public async Task Connecting_leaves_the_callers_settings_as_they_were_and_moves_messages()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var configuration = ConfigurationOptions.Parse(redis.ConnectionString);
        configuration.ClientName = "owned-connection-test";

        await using var client = await RedisStreamsClient.ConnectAsync(configuration, new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() });
        var receiver = client.CreateReceiver("orders");
        await receiver.StartAsync();
        await client.SendAsync("orders", new OutgoingMessage(new Dictionary<string, string> { ["id"] = "1" }, new byte[] { 1, 2, 3 }));
        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        await receiver.AckAsync(message!);
        await receiver.DisposeAsync();

        // The engine picks its own socket manager on a copy: the caller's object may configure other connections.
        Assert.Null(configuration.SocketManager);
        Assert.Equal("owned-connection-test", configuration.ClientName);
        Assert.Equal("1", message!.Headers["id"]);
        Assert.Equal([1, 2, 3], message.Body.ToArray());
    }
}
