// Sends and consumes one message with the MassTransit package, as a new user would.
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using PackageSmoke;

Environment.SetEnvironmentVariable("MASSTRANSIT_USAGE_TELEMETRY", "false");
using var server = await LocalRedisServer.StartAsync();
var consumed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
var services = new ServiceCollection();
services.AddMassTransit(x =>
{
    x.DisableUsageTelemetry();
    x.UsingRedisStreams((context, cfg) =>
    {
        cfg.Host($"redis://127.0.0.1:{server.Port}");
        cfg.ReceiveEndpoint("smoke-masstransit", e => e.Handler<SmokeMessage>(c =>
        {
            consumed.TrySetResult(c.Message.Text);
            return Task.CompletedTask;
        }));
    });
});
await using var provider = services.BuildServiceProvider();
var bus = provider.GetRequiredService<IBusControl>();
await bus.StartAsync();
try
{
    await (await bus.GetSendEndpoint(new Uri("queue:smoke-masstransit"))).Send(new SmokeMessage("hello masstransit"));
    Console.WriteLine($"masstransit: consumed '{await consumed.Task.WaitAsync(TimeSpan.FromSeconds(30))}'");
    Console.WriteLine($"  MassTransit {typeof(IBus).Assembly.GetName().Version}");
    return 0;
}
finally
{
    await bus.StopAsync();
}

namespace PackageSmoke
{
    public record SmokeMessage(string Text);
}
