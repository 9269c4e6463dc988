// The engine on its own: two competing workers on a queue, publish/subscribe, a delayed message and a
// poison message that ends in the dead-letter stream. Exits 0 only when everything arrived as expected.
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using RedisStreams.Samples;
using RedisStreams.Transport;

using var redis = await LocalRedis.StartAsync();
using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
await using var client = await RedisStreamsClient.ConnectAsync(redis.Connection, new RedisStreamsOptions { KeyPrefix = "sample" }, logging);

static OutgoingMessage Text(string text, TimeSpan? delay = null) =>
    new(new Dictionary<string, string> { ["content-type"] = "text/plain" }, Encoding.UTF8.GetBytes(text)) { Delay = delay };

// Two workers compete for the "orders" queue: each order is handled by exactly one of them.
await client.Subscriptions.SubscribeAsync("order-submitted", "billing");
await client.Subscriptions.SubscribeAsync("order-submitted", "shipping");
var handled = new ConcurrentDictionary<string, string>();
var workers = new[] { client.CreateReceiver("orders"), client.CreateReceiver("orders") };
var billing = client.CreateReceiver("billing");
var shipping = client.CreateReceiver("shipping");
foreach (var receiver in workers.Append(billing).Append(shipping))
{
    await receiver.StartAsync();
}

using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
var loops = workers.Select(worker => Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        var message = await worker.ReceiveAsync(TimeSpan.FromMilliseconds(250));
        if (message is null)
        {
            continue;
        }

        var text = Encoding.UTF8.GetString(message.Body.Span);
        if (text == "poison")
        {
            await worker.DeadLetterAsync(message, "the sample refuses poison");
            continue;
        }

        handled[text] = worker.ConsumerName;
        await worker.AckAsync(message);
    }
})).ToList();

await client.SendManyAsync(Enumerable.Range(1, 20).Select(i => ("orders", Text($"order-{i}"))));
await client.SendAsync("orders", Text("poison"));
await client.SendAsync("orders", Text("order-delayed", TimeSpan.FromSeconds(1)));
Console.WriteLine($"Published to {await client.PublishAsync("order-submitted", Text("order-1 submitted"))} subscriber queues.");

var fannedOut = new List<string>();
foreach (var subscriber in new[] { billing, shipping })
{
    var message = await subscriber.ReceiveAsync(TimeSpan.FromSeconds(10));
    if (message is not null)
    {
        fannedOut.Add($"{subscriber.Queue}: {Encoding.UTF8.GetString(message.Body.Span)}");
        await subscriber.AckAsync(message);
    }
}

while (handled.Count < 21 && !stop.IsCancellationRequested)
{
    await Task.Delay(50);
}

await stop.CancelAsync();
await Task.WhenAll(loops);
foreach (var receiver in workers.Append(billing).Append(shipping))
{
    await receiver.DisposeAsync();
}

var dead = await client.ReadDeadLettersAsync("orders");
foreach (var line in fannedOut)
{
    Console.WriteLine($"Fan-out       {line}");
}

foreach (var group in handled.GroupBy(h => h.Value))
{
    Console.WriteLine($"Worker {group.Key} handled {group.Count()} orders");
}

Console.WriteLine($"Dead-lettered {dead.Count}: {string.Join("; ", dead.Select(d => d.Reason))}");
var ok = handled.Count == 21 && handled.ContainsKey("order-delayed") && fannedOut.Count == 2 && dead.Count == 1;
Console.WriteLine(ok ? "Sample finished: every message arrived where it should." : "Sample FAILED: some messages did not arrive.");
return ok ? 0 : 1;
