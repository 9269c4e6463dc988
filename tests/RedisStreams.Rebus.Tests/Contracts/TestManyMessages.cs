using System.Collections.Concurrent;
using System.Diagnostics;

namespace RedisStreams.Rebus.Tests.Contracts;

/// <summary>Rebus's <c>TestManyMessages</c> bus contract: same test name, same assertions.</summary>
public abstract class TestManyMessages<TBusFactory> : IDisposable
    where TBusFactory : IBusFactory, new()
{
    readonly TBusFactory _factory = new();

    public void Dispose()
    {
        _factory.Cleanup();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(10_000)]
    public async Task SendAndReceiveManyMessages(int messageCount)
    {
        var receivedIds = new ConcurrentDictionary<int, int>();
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = _factory.GetBus<MessageWithId>("input1", message =>
        {
            receivedIds.AddOrUpdate(message.Id, 1, (_, count) => count + 1);
            if (receivedIds.Count == messageCount)
            {
                allReceived.TrySetResult();
            }

            return Task.CompletedTask;
        });

        var ids = Enumerable.Range(0, messageCount).ToList();
        await Task.WhenAll(ids.Select(id => bus.SendLocal(new MessageWithId(id))));

        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAny(allReceived.Task, Task.Delay(TimeSpan.FromSeconds(100)));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.True(allReceived.Task.IsCompleted, $"Received {receivedIds.Count} of {messageCount} messages within {stopwatch.Elapsed}");
        Assert.Equal(ids, receivedIds.Keys.Order());
        Assert.All(receivedIds, pair => Assert.Equal(1, pair.Value));
    }

    public sealed record MessageWithId(int Id);
}
