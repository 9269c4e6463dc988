// MassTransit on Redis Streams: a producer sends commands, a consumer handles them and publishes events,
// a saga follows each order across two events, and a request client asks a service for stock.
// Exits 0 only when every expected message arrived.
using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.MassTransit.Sample;
using RedisStreams.Samples;

Environment.SetEnvironmentVariable("MASSTRANSIT_USAGE_TELEMETRY", "false");
using var redis = await LocalRedis.StartAsync();

var services = new ServiceCollection();
services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
services.AddSingleton<Progress>();
services.AddMassTransit(x =>
{
    x.DisableUsageTelemetry();
    x.SetKebabCaseEndpointNameFormatter();
    x.AddConsumer<SubmitOrderConsumer>();
    x.AddConsumer<StockConsumer>();
    x.AddConsumer<WarehouseConsumer>();
    x.AddSagaStateMachine<OrderStateMachine, OrderState>().InMemoryRepository();

    // The one line that differs from RabbitMQ: x.UsingRabbitMq(...) becomes x.UsingRedisStreams(...).
    x.UsingRedisStreams((context, cfg) =>
    {
        cfg.Host(redis.Connection);
        cfg.KeyPrefix = "mt-sample";
        cfg.ConfigureEndpoints(context);
    });
});

await using var provider = services.BuildServiceProvider(true);
var bus = provider.GetRequiredService<IBusControl>();
var progress = provider.GetRequiredService<Progress>();
await bus.StartAsync();
try
{
    const int orders = 10;
    var stockClient = bus.CreateRequestClient<CheckStock>();
    var submit = await bus.GetSendEndpoint(new Uri("queue:submit-order"));
    var ids = Enumerable.Range(0, orders).Select(_ => NewId.NextGuid()).ToList();
    foreach (var id in ids)
    {
        var stock = await stockClient.GetResponse<StockStatus>(new CheckStock(id, "SKU-42"));
        progress.StockAnswers.TryAdd(stock.Message.OrderId, stock.Message.Available);
        await submit.Send(new SubmitOrder(id, "SKU-42"));
    }

    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline && !progress.IsComplete(ids))
    {
        await Task.Delay(200);
    }

    Console.WriteLine($"stock answers {progress.StockAnswers.Count}/{orders}, submitted {progress.Submitted.Count}/{orders}, " +
                      $"shipped {progress.Shipped.Count}/{orders}, sagas completed {progress.SagasCompleted.Count}/{orders}");
    if (!progress.IsComplete(ids))
    {
        Console.Error.WriteLine("Not every expected message arrived.");
        return 1;
    }

    Console.WriteLine("MassTransit sample: every expected message arrived.");
    return 0;
}
finally
{
    await bus.StopAsync();
}
