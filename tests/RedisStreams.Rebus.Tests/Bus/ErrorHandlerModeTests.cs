using System.Collections.Concurrent;
using System.Text;
using Rebus.Config;
using Rebus.Messages;
using Rebus.Retry.Simple;
using RedisStreams.Rebus.Tests.Factories;
using RedisStreams.Transport;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>
/// Whatever error-handler mode a user picks, a message Rebus gives up on is in the error queue before it leaves its
/// own queue. With <see cref="ErrorHandlerMode.NextDelivery"/> Rebus enlists the error copy in the incoming
/// transaction and then ends that transaction without committing it; the transport must not drop the copy.
/// </summary>
public sealed class ErrorHandlerModeTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(ErrorHandlerModeTests));

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(ErrorHandlerMode.Immediately, false)]
    [InlineData(ErrorHandlerMode.NextDelivery, false)]
    [InlineData(ErrorHandlerMode.Immediately, true)]
    [InlineData(ErrorHandlerMode.NextDelivery, true)]
    public async Task APoisonMessageEndsInTheErrorQueueInEveryErrorHandlerMode(ErrorHandlerMode mode, bool secondLevelRetries)
    {
        var attempts = new ConcurrentQueue<string>();
        var bus = _harness.StartBus(
            "orders",
            a => a
                .Handle<Poison>(_ =>
                {
                    attempts.Enqueue("first level");
                    throw new InvalidOperationException("the handler always fails");
                })
                .Handle<IFailed<Poison>>(_ =>
                {
                    attempts.Enqueue("second level");
                    throw new InvalidOperationException("the second-level handler fails too");
                }),
            o => o.RetryStrategy(secondLevelRetriesEnabled: secondLevelRetries, errorHandlerMode: mode));

        await bus.SendLocal(new Poison(3));

        var entry = await SingleErrorEntryAsync();
        Assert.Equal("orders", entry[Headers.SourceQueue]);
        Assert.Contains("always fails", entry[Headers.ErrorDetails], StringComparison.Ordinal);
        Assert.Equal(5, attempts.Count(a => a == "first level"));

        // Rebus tries the second level once in the last failing delivery (Immediately), or in five more deliveries (NextDelivery).
        Assert.Equal(!secondLevelRetries ? 0 : mode == ErrorHandlerMode.Immediately ? 1 : 5, attempts.Count(a => a == "second level"));
        await AssertNothingLeftInOrdersAsync();
    }

    [Theory]
    [InlineData(ErrorHandlerMode.Immediately)]
    [InlineData(ErrorHandlerMode.NextDelivery)]
    public async Task AMessageWithoutAnIdEndsInTheErrorQueueInEveryErrorHandlerMode(ErrorHandlerMode mode)
    {
        _harness.StartBus("orders", a => a.Handle<Poison>(_ => Task.CompletedTask), o => o.RetryStrategy(errorHandlerMode: mode));

        // Written by something other than Rebus: no rbs2-msg-id, so Rebus dead-letters it before any handler runs.
        using var sender = await RedisStreamsClient.ConnectAsync(TestRedis.Endpoint.ConnectionString, new RedisStreamsOptions { KeyPrefix = _harness.Prefix });
        var headers = new Dictionary<string, string> { [Headers.ContentType] = "application/json;charset=utf-8" };
        await sender.SendAsync("orders", new OutgoingMessage(headers, Encoding.UTF8.GetBytes("{}")));

        var entry = await SingleErrorEntryAsync();
        Assert.Contains(Headers.MessageId, entry[Headers.ErrorDetails], StringComparison.Ordinal);
        await AssertNothingLeftInOrdersAsync();
    }

    async Task<Dictionary<string, string>> SingleErrorEntryAsync()
    {
        Assert.True(await Eventually.TrueAsync(async () => (await _harness.ReadStreamAsync("error")).Length > 0), "nothing reached the error queue: the poison message was lost");

        // A second copy would show up right after the first.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var entry = Assert.Single(await _harness.ReadStreamAsync("error"));
        return entry.Values.ToDictionary(v => (string)v.Name!, v => (string)v.Value!);
    }

    async Task AssertNothingLeftInOrdersAsync()
    {
        Assert.True(await Eventually.TrueAsync(async () => (await _harness.ReadStreamAsync("orders")).Length == 0), "the original is still in its queue");
        using var inspector = await RedisStreamsClient.ConnectAsync(TestRedis.Endpoint.ConnectionString, new RedisStreamsOptions { KeyPrefix = _harness.Prefix });
        Assert.Equal(0, (await inspector.GetQueueStatisticsAsync("orders")).DeadLettered);
    }
}
