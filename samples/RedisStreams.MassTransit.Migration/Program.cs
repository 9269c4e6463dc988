// A RabbitMQ application switched to Redis Streams. This file is compiled twice: as it stands (Redis Streams,
// run by scripts/sample.sh), and with RABBITMQ defined by RabbitMq/RedisStreams.MassTransit.Migration.RabbitMq.csproj
// against MassTransit.RabbitMQ. The #if blocks are exactly the lines docs/masstransit.md ("Switch from RabbitMQ")
// tells you to change; everything else is the RabbitMQ application as it was. Exits 0 when every message arrived.
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisStreams.MassTransit.Migration;

Environment.SetEnvironmentVariable("MASSTRANSIT_USAGE_TELEMETRY", "false");
var settings = await BrokerSettings.StartAsync();
if (settings is null)
{
    return 0;
}

using var broker = settings;
var services = new ServiceCollection();
services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var received = new Received();
services.AddSingleton(received);
services.AddMassTransit(x =>
{
    x.DisableUsageTelemetry();
    x.SetKebabCaseEndpointNameFormatter();
    x.AddConsumer<SubmitOrderConsumer>();
#if RABBITMQ
    x.UsingRabbitMq((context, cfg) =>
#else
    x.UsingRedisStreams((context, cfg) =>
#endif
    {
#if RABBITMQ
        cfg.Host(broker.Host, 5672, "orders-app", h =>
#else
        cfg.Host(broker.Host, broker.Port, "orders-app", h =>
#endif
        {
            h.Username("orders");
            h.Password(broker.Password);
        });

        cfg.ReceiveEndpoint("order-audit", e =>
        {
            e.ConfigureConsumeTopology = false;
            e.Bind<OrderSubmitted>();
            e.Bind("order-notes");
            e.Consumer(() => new AuditConsumer(received));
        });

        cfg.ConfigureEndpoints(context);
    });
});

await using var provider = services.BuildServiceProvider(true);
var bus = provider.GetRequiredService<IBusControl>();
await bus.StartAsync();
try
{
    var orderId = NewId.NextGuid();
    await (await bus.GetSendEndpoint(new Uri("queue:submit-order"))).Send(new SubmitOrder(orderId));
    await (await bus.GetSendEndpoint(new Uri("exchange:order-notes"))).Send(new OrderNote(orderId, "gift wrap"));

    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline && !received.IsComplete(orderId))
    {
        await Task.Delay(100);
    }

    Console.WriteLine($"submitted {received.Submitted.Count}, audited {received.Audited.Count}, notes {received.Notes.Count}");
    if (!received.IsComplete(orderId))
    {
        Console.Error.WriteLine("Not every expected message arrived.");
        return 1;
    }

    Console.WriteLine("Migration sample: the RabbitMQ application runs on Redis Streams.");
    return 0;
}
finally
{
    await bus.StopAsync();
}
