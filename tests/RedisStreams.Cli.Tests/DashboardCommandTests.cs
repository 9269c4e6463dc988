using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RedisStreams.Cli.Tests;

/// <summary><c>redis-streams dashboard</c>: the web dashboard on 127.0.0.1 with the tool's connection, until stopped.</summary>
public sealed partial class DashboardCommandTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dashboard_serves_the_queues_on_loopback_and_acts_only_when_allowed(bool allowActions)
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("orders", "o1");
        await cli.SendAsync("payments", "p1");
        await using (var receiver = cli.Client.CreateReceiver("payments"))
        {
            await receiver.StartAsync();
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30));
            await receiver.DeadLetterAsync(message!, "crashed");
        }

        var output = new StringBuilder();
        using var writer = TextWriter.Synchronized(new StringWriter(output));
        var console = new CliConsole
        {
            Out = writer,
            Error = writer,
            In = new StringReader(string.Empty),
            CanPrompt = false,
            OutputIsTerminal = false,
            Environment = name => name switch
            {
                "REDIS_STREAMS_CONNECTION" => cli.Redis.Uri,
                "REDIS_STREAMS_PREFIX" => cli.Prefix,
                _ => null,
            },
        };
        // TextWriter.Synchronized locks on the writer: reading under the same lock sees whole lines.
        string Read()
        {
            lock (writer)
            {
                return output.ToString();
            }
        }

        using var stop = new CancellationTokenSource();
        string[] args = allowActions ? ["dashboard", "--allow-actions"] : ["dashboard"];
        var run = CliApp.RunAsync(args, console, stop.Token);

        Match url = Match.Empty;
        await CliHarness.EventuallyAsync(() => Task.FromResult((url = Url().Match(Read())).Success || run.IsCompleted), "the tool prints its URL");
        Assert.True(url.Success, Read());
        Assert.Contains(allowActions ? "are enabled" : "Read-only", Read(), StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(url.Value) };

        var page = await http.GetStringAsync(new Uri(string.Empty, UriKind.Relative));
        Assert.Contains("assets/app.js", page, StringComparison.Ordinal);
        var queues = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/queues", UriKind.Relative))).RootElement.GetProperty("queues");
        Assert.Equal(1, queues.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "orders").GetProperty("depth").GetInt64());

        // A page under another host name pointed at 127.0.0.1 (DNS rebinding) gets nothing.
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "api/queues"))
        {
            rebound.Headers.Host = "attacker.example";
            using var refused = await http.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using var redrive = new HttpRequestMessage(HttpMethod.Post, "api/redrive") { Content = JsonContent.Create(new { queue = "payments", source = "dead-letters", all = true }) };
        redrive.Headers.Add("X-RedisStreams-Dashboard", "1");
        redrive.Headers.Add("Sec-Fetch-Site", "same-origin");
        using (var response = await http.SendAsync(redrive))
        {
            Assert.Equal(allowActions ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(allowActions ? 0 : 1, (await cli.Client.GetQueueSummariesAsync(["payments"]))[0].DeadLettered);
        if (allowActions)
        {
            // The audit line goes to the tool's error output.
            await CliHarness.EventuallyAsync(() => Task.FromResult(Read().Contains("redrive of payments by anonymous users", StringComparison.Ordinal)), "the redrive is logged");
        }

        await stop.CancelAsync();
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, Read());
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex Url();
}
