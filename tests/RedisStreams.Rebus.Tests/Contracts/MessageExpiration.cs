using Rebus.Messages;

namespace RedisStreams.Rebus.Tests.Contracts;

/// <summary>Rebus's <c>MessageExpiration</c> transport contract: same test names, same assertions.</summary>
public abstract class MessageExpiration<TTransportFactory> : ContractFixture, IDisposable
    where TTransportFactory : ITransportFactory, new()
{
    const string QueueName = "expiration";
    readonly TTransportFactory _factory = new();

    public void Dispose()
    {
        _factory.CleanUp();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ReceivesNonExpiredMessage()
    {
        var transport = _factory.Create(QueueName);
        var id = Guid.NewGuid().ToString();
        await WithContext(context => transport.Send(QueueName, MessageWith(id), context));

        await Task.Delay(TimeSpan.FromSeconds(5));

        await WithContext(async context =>
        {
            var received = await transport.Receive(context, CancellationToken.None);
            Assert.NotNull(received);
            Assert.Equal(id, GetStringBody(received));
        });
    }

    [Fact]
    public async Task DoesNotReceiveExpiredMessage()
    {
        var transport = _factory.Create(QueueName);
        var headers = new Dictionary<string, string>
        {
            [Headers.TimeToBeReceived] = "00:00:04",
            [Headers.SentTime] = DateTimeOffset.Now.ToString("O"),
        };
        await WithContext(context => transport.Send(QueueName, MessageWith("expired", headers), context));

        await Task.Delay(TimeSpan.FromSeconds(7));

        await WithContext(async context =>
        {
            var received = await transport.Receive(context, CancellationToken.None);
            Assert.Null(received);
        });
    }

    [Fact]
    public async Task ReceivesAlmostExpiredMessage()
    {
        var transport = _factory.Create(QueueName);
        var headers = new Dictionary<string, string>
        {
            [Headers.TimeToBeReceived] = "00:00:20",
            [Headers.SentTime] = DateTimeOffset.UtcNow.ToString("O"),
        };
        await WithContext(context => transport.Send(QueueName, MessageWith("hej", headers), context));

        await Task.Delay(TimeSpan.FromSeconds(3));

        await WithContext(async context =>
        {
            var received = await transport.Receive(context, CancellationToken.None);
            Assert.NotNull(received);
            Assert.Equal("hej", GetStringBody(received));
        });
    }
}
