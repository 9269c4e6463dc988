using System.Globalization;
using Rebus.Messages;
using Rebus.Transport;

namespace RedisStreams.Rebus.Tests.Contracts;

/// <summary>Rebus's <c>NativeDeliveryCount</c> transport contract: same test name, same assertions.</summary>
public abstract class NativeDeliveryCount<TTransportFactory> : ContractFixture, IDisposable
    where TTransportFactory : ITransportFactory, new()
{
    readonly TTransportFactory _factory = new();

    public void Dispose()
    {
        _factory.CleanUp();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task CanCountDeliveries()
    {
        var queueName = Guid.NewGuid().ToString("N");
        var transport = _factory.Create(queueName);
        await WithContext(context => transport.Send(queueName, MessageWith("hej"), context));

        for (var delivery = 0; delivery < 3; delivery++)
        {
            // Disposed without a result: neither ack nor nack runs, only rollback and disposal.
            using var scope = new RebusTransactionScope();
            var message = await transport.Receive(scope.TransactionContext, CancellationToken.None);
            Assert.NotNull(message);
            Assert.True(message.Headers.TryGetValue(Headers.DeliveryCount, out var text), $"The '{Headers.DeliveryCount}' header is missing");
            Assert.True(int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), $"'{text}' is not an integer");
        }
    }
}
