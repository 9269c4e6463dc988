using System.Collections.Concurrent;
using Rebus.Routing.TypeBased;
using RedisStreams.Rebus.Tests.Factories;

namespace RedisStreams.Rebus.Tests.Bus;

[Collection(RunsAloneCollection.Name)]
public sealed class ConnectionKillTests : IDisposable
{
    readonly BusHarness _harness = new(nameof(ConnectionKillTests));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task KilledConnectionsRecoverWithNothingLost()
    {
        var handled = new ConcurrentDictionary<int, int>();
        _harness.StartBus("work", a => a.Handle<Ping>(ping =>
        {
            handled.AddOrUpdate(ping.Id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }));
        var sender = _harness.StartOneWayClient(r => r.Map<Ping>("work"));

        const int count = 200;
        for (var id = 0; id < count; id++)
        {
            if (id == count / 2)
            {
                Assert.True(await TestRedis.Endpoint.KillClientConnectionsAsync() > 0, "no client connection was killed");
            }

            // At-least-once from the sender's side: a send that failed while reconnecting is sent again.
            await SendUntilAcceptedAsync(() => sender.Send(new Ping(id)));
        }

        Assert.True(await Eventually.TrueAsync(() => handled.Count == count, TimeSpan.FromSeconds(60)), $"handled {handled.Count} of {count}");
        Assert.Equal(Enumerable.Range(0, count), handled.Keys.Order());
    }

    static async Task SendUntilAcceptedAsync(Func<Task> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await send();
                return;
            }
            catch (Exception) when (attempt < 50)
            {
                await Task.Delay(200);
            }
        }
    }
}
