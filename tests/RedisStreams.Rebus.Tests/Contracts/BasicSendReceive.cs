namespace RedisStreams.Rebus.Tests.Contracts;

/// <summary>Rebus's <c>BasicSendReceive</c> transport contract: same test names, same assertions.</summary>
public abstract class BasicSendReceive<TTransportFactory> : ContractFixture, IDisposable
    where TTransportFactory : ITransportFactory, new()
{
    readonly TTransportFactory _factory = new();
    readonly CancellationToken _cancellationToken = CancellationToken.None;

    public void Dispose()
    {
        _factory.CleanUp();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task HasOneWayClient()
    {
        var client = _factory.CreateOneWayClient();
        var receiver = _factory.Create("receiver");

        await WithContext(context => client.Send("receiver", MessageWith("greetings!"), context));

        await WithContext(async context =>
        {
            var received = await receiver.Receive(context, _cancellationToken);
            Assert.NotNull(received);
            Assert.Equal("greetings!", GetStringBody(received));
        });
    }

    [Fact]
    public async Task EmptyQueueReturnsNull()
    {
        var emptyQueue = _factory.Create("empty");

        await WithContext(async context =>
        {
            var received = await emptyQueue.Receive(context, _cancellationToken);
            Assert.Null(received);
        });
    }

    [Fact]
    public async Task CanSendAndReceive()
    {
        var input1 = _factory.Create("input1");
        var input2 = _factory.Create("input2");

        await WithContext(context => input1.Send("input2", MessageWith("hej"), context));

        await WithContext(async context =>
        {
            var received = await input2.Receive(context, _cancellationToken);
            Assert.Equal("hej", GetStringBody(received));
        });
    }

    [Fact]
    public async Task MessageIsNotSentWhenTransactionIsNotCompleted()
    {
        var input = _factory.Create("input");

        await WithContext(context => input.Send("input", MessageWith("hej"), context), completeTransaction: false);

        await WithContext(async context =>
        {
            var received = await input.Receive(context, _cancellationToken);
            Assert.Null(received);
        });
    }

    [Fact]
    public async Task MessageIsReturnedToQueueWhenReceivingTransactionIsNotCommitted()
    {
        var input = _factory.Create("input");
        await WithContext(context => input.Send("input", MessageWith("hej"), context));

        await WithContext(
            async context => Assert.Equal("hej", GetStringBody(await input.Receive(context, _cancellationToken))),
            completeTransaction: false);

        await WithContext(async context => Assert.Equal("hej", GetStringBody(await input.Receive(context, _cancellationToken))));

        await WithContext(async context => Assert.Null(await input.Receive(context, _cancellationToken)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MultipleSentMessagesCanBeRolledBack(bool commitAndExpectTheMessagesToBeSent)
    {
        var input = _factory.Create("input");

        await WithContext(
            async context =>
            {
                await input.Send("input", MessageWith("hej1"), context);
                await input.Send("input", MessageWith("hej2"), context);
            },
            completeTransaction: commitAndExpectTheMessagesToBeSent);

        var received = new List<string>();
        var nullsInARow = 0;
        while (nullsInARow < 5)
        {
            await WithContext(async context =>
            {
                var message = await input.Receive(context, _cancellationToken);
                if (message is null)
                {
                    nullsInARow++;
                }
                else
                {
                    nullsInARow = 0;
                    received.Add(GetStringBody(message)!);
                }
            });
            await Task.Delay(100);
        }

        if (commitAndExpectTheMessagesToBeSent)
        {
            Assert.Equal(["hej1", "hej2"], received.Order(StringComparer.Ordinal));
        }
        else
        {
            Assert.Empty(received);
        }
    }
}
