using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Cli;

/// <summary>
/// One run of the tool: where it writes (through the <see cref="Redactor"/>), and the engine client it connects
/// on first use with the global options <c>--connection</c> and <c>--prefix</c> (or their environment variables).
/// </summary>
internal sealed class CliContext : IAsyncDisposable
{
    /// <summary>The environment variable holding the connection when <c>--connection</c> is not given.</summary>
    public const string ConnectionVariable = "REDIS_STREAMS_CONNECTION";

    /// <summary>The environment variable holding the key prefix when <c>--prefix</c> is not given.</summary>
    public const string PrefixVariable = "REDIS_STREAMS_PREFIX";

    /// <summary>Where the tool connects when neither option nor variable names a Redis, as redis-cli does.</summary>
    public const string DefaultConnection = "localhost:6379";

    RedisStreamsClient? _client;

    public CliContext(CliConsole console)
    {
        Console = console;
    }

    public CliConsole Console { get; }

    public Redactor Redactor { get; } = new();

    /// <summary>The connection text from the option, the environment or the default.</summary>
    public string Connection { get; set; } = DefaultConnection;

    /// <summary>The key prefix from the option, the environment or the default.</summary>
    public string Prefix { get; set; } = "rs";

    /// <summary>Where the connection goes, without credentials, for messages.</summary>
    public string Endpoints { get; private set; } = DefaultConnection;

    /// <summary>Writes a line of results.</summary>
    public void Out(string text = "") => Console.Out.WriteLine(Redactor.Scrub(text));

    /// <summary>Writes a line of errors, prompts or progress.</summary>
    public void Error(string text) => Console.Error.WriteLine(Redactor.Scrub(text));

    /// <summary>The engine client, connected on first use.</summary>
    /// <exception cref="CliException">The connection text is invalid, or Redis cannot be reached.</exception>
    public async Task<RedisStreamsClient> ClientAsync()
    {
        if (_client is not null)
        {
            return _client;
        }

        ConfigurationOptions configuration;
        RedisStreamsOptions options;
        try
        {
            configuration = RedisStreamsClient.ParseConnection(Connection);
            options = new RedisStreamsOptions { KeyPrefix = Prefix };
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message);
        }

        Redactor.Add(configuration.Password);
        configuration.ClientName = "redis-streams-cli";
        Endpoints = RedisEndpointText.Describe(configuration.EndPoints);
        _client = await RedisStreamsClient.ConnectAsync(configuration, options).ConfigureAwait(false);
        if (!_client.Multiplexer.IsConnected)
        {
            throw new CliException(
                ExitCodes.Unreachable,
                $"Cannot reach Redis at {Endpoints}. Check the host and port, that Redis is running, and that nothing blocks the connection (set it with --connection or {ConnectionVariable}).");
        }

        return _client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A failure the tool explains itself: its message is what to fix, its code what scripts see.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.Failed;
}
