using System.Runtime.CompilerServices;
using System.Text;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Cli.Tests;

/// <summary>What one run of the tool printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;

    public override string ToString() => $"exit {ExitCode}\n--- out ---\n{Out}\n--- error ---\n{Error}";
}

/// <summary>
/// Runs <c>redis-streams</c> in-process against the test Redis, under a key prefix of its own that it gets from
/// the environment variables, as an operator would set them. Seeds queues through the engine.
/// </summary>
public sealed class CliHarness : IAsyncDisposable
{
    CliHarness(RedisEndpoint redis, string prefix, RedisStreamsClient client)
    {
        Redis = redis;
        Prefix = prefix;
        Client = client;
    }

    public RedisEndpoint Redis { get; }

    public string Prefix { get; }

    /// <summary>An engine client on the same prefix, for seeding and checking.</summary>
    public RedisStreamsClient Client { get; }

    public static async Task<CliHarness> StartAsync([CallerMemberName] string test = "")
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix(test);
        var client = new RedisStreamsClient(await redis.AdminAsync(), new RedisStreamsOptions { KeyPrefix = prefix });
        return new CliHarness(redis, prefix, client);
    }

    /// <summary>Runs the tool with the connection and prefix from the environment, no terminal to prompt.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunWithAsync(null, args);

    /// <summary>Runs the tool; <paramref name="answer"/> is typed at a prompt (a terminal), <c>null</c> for no terminal.</summary>
    public async Task<CliResult> RunWithAsync(string? answer, string[] args, Dictionary<string, string>? environment = null)
    {
        environment ??= new Dictionary<string, string>
        {
            ["REDIS_STREAMS_CONNECTION"] = Redis.Uri,
            ["REDIS_STREAMS_PREFIX"] = Prefix,
        };
        var output = new StringWriter(new StringBuilder());
        var error = new StringWriter(new StringBuilder());
        var console = new CliConsole
        {
            Out = output,
            Error = error,
            In = new StringReader(answer is null ? string.Empty : answer + "\n"),
            CanPrompt = answer is not null,
            OutputIsTerminal = false,
            Environment = name => environment.GetValueOrDefault(name),
        };
        var code = await CliApp.RunAsync(args, console);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Sends a message with headers and a text body.</summary>
    public Task SendAsync(string queue, string id, Dictionary<string, string>? headers = null, string? body = null)
    {
        headers ??= [];
        headers["id"] = id;
        return Client.SendAsync(queue, new OutgoingMessage(headers, Encoding.UTF8.GetBytes(body ?? $"body of {id}")));
    }

    /// <summary>Waits for a condition with a generous deadline; never asserts a time.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
