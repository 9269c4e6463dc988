using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Rebus.Messages;
using Rebus.Transport;
using RedisStreams.Rebus.Tests.Contracts;
using RedisStreams.Rebus.Tests.Factories;

namespace RedisStreams.Rebus.Tests.Transport;

/// <summary>Transport behaviour beyond Rebus's contract: native delivery count, immutability, wire format, expiry.</summary>
public sealed class TransportTests : ContractFixture, IDisposable
{
    readonly RedisStreamsTransportFactory _factory = new();

    public void Dispose() => _factory.CleanUp();

    [Fact]
    public async Task DeliveryCountCountsUpFromOneOnEveryNack()
    {
        var queue = _factory.Create("counted");
        await WithContext(context => queue.Send("counted", MessageWith("hej"), context));

        var counts = new List<string>();
        for (var delivery = 0; delivery < 3; delivery++)
        {
            await WithContext(
                async context => counts.Add((await queue.Receive(context, CancellationToken.None))!.Headers[Headers.DeliveryCount]),
                completeTransaction: false);
        }

        Assert.Equal(["1", "2", "3"], counts);
    }

    [Fact]
    public async Task IncomingDeliveryCountHeaderIsReplacedByRedisCount()
    {
        var queue = _factory.Create("counted");
        var stale = new Dictionary<string, string> { [Headers.DeliveryCount] = "99" };
        await WithContext(context => queue.Send("counted", MessageWith("hej", stale), context));

        await WithContext(async context =>
            Assert.Equal("1", (await queue.Receive(context, CancellationToken.None))!.Headers[Headers.DeliveryCount]));
    }

    [Fact]
    public async Task SendingToSeveralQueuesLeavesTheMessageUntouched()
    {
        var client = _factory.CreateOneWayClient();
        var first = _factory.Create("first");
        var second = _factory.Create("second");
        var headers = new Dictionary<string, string>
        {
            [Headers.MessageId] = "id-1",
            [Headers.DeliveryCount] = "3",
            [Headers.TimeToBeReceived] = "00:01:00",
        };
        var message = MessageWith("shared", headers);
        var before = message.Headers.ToDictionary();

        await WithContext(async context =>
        {
            await client.Send("first", message, context);
            await client.Send("second", message, context);
        });

        Assert.Equal(before, message.Headers);
        foreach (var receiver in new[] { first, second })
        {
            await WithContext(async context =>
            {
                var received = await receiver.Receive(context, CancellationToken.None);
                Assert.Equal("shared", GetStringBody(received));
                Assert.Equal("id-1", received!.Headers[Headers.MessageId]);
            });
        }
    }

    [Fact]
    public async Task HeadersAreStreamFieldsReadableWithXrange()
    {
        var client = (RedisStreamsTransport)_factory.CreateOneWayClient();
        var headers = new Dictionary<string, string> { [Headers.MessageId] = "readable-id", ["custom-header"] = "custom value" };

        await WithContext(context => client.Send("readable", MessageWith("body text", headers), context));

        var admin = await TestRedis.Endpoint.AdminAsync();
        var entry = Assert.Single(await admin.GetDatabase().StreamRangeAsync($"{client.Client.Options.KeyPrefix}:{{readable}}"));
        var fields = entry.Values.ToDictionary(v => (string)v.Name!, v => (string)v.Value!);
        Assert.Equal("readable-id", fields[Headers.MessageId]);
        Assert.Equal("custom value", fields["custom-header"]);
        Assert.Contains("body text", fields.Values);
    }

    [Fact]
    public async Task ExpiredMessageIsNeverReturnedAndIsRemoved()
    {
        var queue = (RedisStreamsTransport)_factory.Create("expiring");
        var headers = new Dictionary<string, string> { [Headers.TimeToBeReceived] = "00:00:01" };
        await WithContext(context => queue.Send("expiring", MessageWith("too late", headers), context));

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        await WithContext(async context => Assert.Null(await queue.Receive(context, CancellationToken.None)));
        var statistics = await queue.Client.GetQueueStatisticsAsync("expiring");
        Assert.Equal(0, statistics.Length);
    }

    [Fact]
    public async Task OneWayClientCannotReceive()
    {
        var client = _factory.CreateOneWayClient();

        Assert.Null(client.Address);
        await WithContext(async context =>
            await Assert.ThrowsAsync<InvalidOperationException>(() => client.Receive(context, CancellationToken.None)));
    }

    [Fact]
    public async Task ConcurrentReceivesHandOutEachMessageOnce()
    {
        var queue = _factory.Create("busy");
        const int count = 60;
        await WithContext(async context =>
        {
            for (var i = 0; i < count; i++)
            {
                await queue.Send("busy", MessageWith(i.ToString(CultureInfo.InvariantCulture)), context);
            }
        });

        var received = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var nulls = 0;
            while (nulls < 2)
            {
                await WithContext(async context =>
                {
                    var message = await queue.Receive(context, CancellationToken.None);
                    if (message is null)
                    {
                        nulls++;
                    }
                    else
                    {
                        received.Add(Encoding.UTF8.GetString(message.Body));
                    }
                });
            }
        })));

        Assert.Equal(count, received.Count);
        Assert.Equal(count, received.Distinct().Count());
    }

    [Fact]
    public async Task InspectorCountsWaitingMessages()
    {
        var queue = _factory.Create("inspected");
        await WithContext(async context =>
        {
            await queue.Send("inspected", MessageWith("a"), context);
            await queue.Send("inspected", MessageWith("b"), context);
        });

        var properties = await ((ITransportInspector)queue).GetProperties(CancellationToken.None);

        Assert.Equal(2, Convert.ToInt32(properties[TransportInspectorPropertyKeys.QueueLength], CultureInfo.InvariantCulture));
    }
}
