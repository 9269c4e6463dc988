using System.Runtime.ExceptionServices;
using RedisStreams.Testing;
using RedisStreams.Transport.Tests.Resilience;

namespace RedisStreams.Transport.Tests.Performance;

/// <summary>
/// Waking the receive loop must not throw: an exception per lost race showed a steady stream of
/// SemaphoreFullException in the process's exception counters and in every tool that records first-chance
/// exceptions, on a perfectly healthy transport.
/// </summary>
// The handler hears the whole process: alone, so no other test's exceptions count.
[Collection(RunsAloneCollection.Name)]
public sealed class WakeUpTests
{
    [Fact]
    public async Task Many_handlers_settling_at_once_wake_the_receiver_without_a_single_exception()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() });
        const int count = 20_000;
        await client.SendManyAsync(Enumerable.Range(0, count).Select(i => ("busy", new OutgoingMessage(new Dictionary<string, string> { ["id"] = $"{i}" }, new byte[16]))));
        var thrown = 0;
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is SemaphoreFullException)
            {
                Interlocked.Increment(ref thrown);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            await using var receiver = client.CreateReceiver("busy", prefetchCount: 16);
            await receiver.StartAsync();
            var remaining = count;
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("the receiver stalled");
                    receiver.AckInBackground(message);
                }
            })));
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.Equal(0, thrown);
    }
}
