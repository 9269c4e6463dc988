namespace RedisStreams.Cli;

/// <summary>Where the tool reads and writes, and what it knows about its terminal: the process's own, or a test's.</summary>
internal sealed class CliConsole
{
    /// <summary>Results: tables, JSON.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Errors, prompts and progress.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Answers to confirmation prompts.</summary>
    public required TextReader In { get; init; }

    /// <summary>Whether someone can answer a prompt: standard input is a terminal.</summary>
    public required bool CanPrompt { get; init; }

    /// <summary>Whether standard output is a terminal (so <c>--watch</c> may clear the screen).</summary>
    public required bool OutputIsTerminal { get; init; }

    /// <summary>Reads an environment variable.</summary>
    public required Func<string, string?> Environment { get; init; }

    /// <summary>The process's console and environment.</summary>
    public static CliConsole FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        CanPrompt = !Console.IsInputRedirected,
        OutputIsTerminal = !Console.IsOutputRedirected,
        Environment = System.Environment.GetEnvironmentVariable,
    };
}
