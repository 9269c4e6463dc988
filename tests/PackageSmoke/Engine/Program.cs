// Sends and receives one message with the engine package and one with the Rebus package, as a new user would.
using System.Text;
using Rebus.Activation;
using Rebus.Config;
using RedisStreams.Transport;

using var server = await PackageSmoke.LocalRedisServer.StartAsync();
var connection = $"redis://127.0.0.1:{server.Port}";

await using (var client = await RedisStreamsClient.ConnectAsync(connection))
{
    await client.SendAsync("smoke", new OutgoingMessage(new Dictionary<string, string> { ["kind"] = "engine" }, Encoding.UTF8.GetBytes("hello")));
    await using var receiver = client.CreateReceiver("smoke");
    await receiver.StartAsync();
    var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("the engine received nothing");
    await receiver.AckAsync(message);
    Console.WriteLine($"engine: received '{Encoding.UTF8.GetString(message.Body.Span)}'");
}

var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
using (var activator = new BuiltinHandlerActivator())
{
    activator.Handle<string>(text =>
    {
        handled.TrySetResult(text);
        return Task.CompletedTask;
    });
    var bus = Configure.With(activator).Logging(l => l.None()).Transport(t => t.UseRedisStreams(connection, "smoke-rebus")).Start();
    await bus.SendLocal("hello rebus");
    Console.WriteLine($"rebus: handled '{await handled.Task.WaitAsync(TimeSpan.FromSeconds(30))}'");
}

foreach (var name in new[] { "RedisStreams.Transport", "RedisStreams.Rebus", "Rebus", "StackExchange.Redis", "Microsoft.Extensions.Logging.Abstractions" })
{
    var assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);
    Console.WriteLine($"  {name} {assembly?.GetName().Version}");
}

return 0;
