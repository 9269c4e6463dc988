// Rebus on Redis Streams, end to end: a shop publishes OrderPlaced, a billing service subscribes to it and defers
// a PaymentReminder to itself. Exits 0 when every event and every reminder arrived, 1 otherwise.
using System.Collections.Concurrent;
using Rebus.Activation;
using Rebus.Config;
using RedisStreams.Rebus.Sample;
using RedisStreams.Samples;

const int orders = 3;
var reminderDelay = TimeSpan.FromSeconds(2);
var runId = Guid.NewGuid().ToString("N")[..8];

// REDIS_URL when set, otherwise a redis-server of our own on a free port, stopped at the end.
using var redis = await LocalRedis.StartAsync();
var connection = redis.Connection;

var placed = new ConcurrentDictionary<int, bool>();
var reminded = new ConcurrentDictionary<int, bool>();
var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

// The billing service: receives from its own queue, subscribes to OrderPlaced, defers reminders to itself.
using var billing = new BuiltinHandlerActivator();
billing.Handle<OrderPlaced>(async (bus, order) =>
{
    if (order.RunId != runId)
    {
        return; // left over from an earlier run on the same Redis
    }

    placed[order.OrderNumber] = true;
    Console.WriteLine($"billing: order {order.OrderNumber} placed, reminding in {reminderDelay.TotalSeconds} s");
    await bus.DeferLocal(reminderDelay, new PaymentReminder(runId, order.OrderNumber));
});
billing.Handle<PaymentReminder>(reminder =>
{
    if (reminder.RunId == runId)
    {
        reminded[reminder.OrderNumber] = true;
        Console.WriteLine($"billing: payment reminder for order {reminder.OrderNumber}");
        if (reminded.Count == orders && placed.Count == orders)
        {
            allArrived.TrySetResult();
        }
    }

    return Task.CompletedTask;
});
var billingBus = Configure.With(billing)
    .Logging(l => l.Console(Rebus.Logging.LogLevel.Warn))
    .Transport(t => t.UseRedisStreams(connection, "sample-billing").KeyPrefix("rebus-sample"))
    .Start();
await billingBus.Subscribe<OrderPlaced>();

// The shop: a one-way client that only publishes.
using var shop = Configure.OneWayClient()
    .Logging(l => l.Console(Rebus.Logging.LogLevel.Warn))
    .Transport(t => t.UseRedisStreamsAsOneWayClient(connection).KeyPrefix("rebus-sample"))
    .Start();
for (var number = 1; number <= orders; number++)
{
    await shop.Publish(new OrderPlaced(runId, number));
    Console.WriteLine($"shop: published order {number}");
}

var finished = await Task.WhenAny(allArrived.Task, Task.Delay(TimeSpan.FromSeconds(60))) == allArrived.Task;
Console.WriteLine(finished
    ? $"Done: {placed.Count} orders and {reminded.Count} reminders arrived."
    : $"Timed out: {placed.Count} of {orders} orders and {reminded.Count} of {orders} reminders arrived.");
return finished ? 0 : 1;
