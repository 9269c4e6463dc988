using System.CommandLine;
using RedisStreams.Cli.Commands;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Cli;

/// <summary>
/// The <c>redis-streams</c> command line: global options, the commands, and one place that turns every failure
/// into a message that says what to fix and an exit code (<see cref="ExitCodes"/>).
/// </summary>
internal static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(console);
        await using var _ = context.ConfigureAwait(false);
        var root = BuildRoot(context);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                context.Error(error.Message);
            }

            context.Error("Run 'redis-streams --help' for the commands and options.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var (code, message) = Explain(e, context);
            context.Error(message);
            return code;
        }
    }

    /// <summary>
    /// The root command with every subcommand. A new command (say <c>dashboard</c>) is one more class in
    /// <c>Commands/</c> added to the list here; it gets the connection from <see cref="CliContext.ClientAsync"/>.
    /// </summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var connection = new Option<string?>("--connection", "-c")
        {
            Description = $"Redis to connect to: redis://[user:password@]host[:port][/db], rediss://... for TLS (?ca=/path/ca.pem, sslHost=...), or a StackExchange.Redis configuration string. Default: ${CliContext.ConnectionVariable}, else {CliContext.DefaultConnection}.",
            Recursive = true,
        };
        var prefix = new Option<string?>("--prefix", "-p")
        {
            Description = $"The key prefix the applications use. Default: ${CliContext.PrefixVariable}, else rs.",
            Recursive = true,
        };

        var root = new RootCommand("Operate RedisStreams queues: list them, look inside, move failed messages back, purge and delete.");
        root.Options.Add(connection);
        root.Options.Add(prefix);

        Func<ParseResult, CancellationToken, Task<int>> Bound(Func<ParseResult, CliContext, CancellationToken, Task<int>> action) =>
            (parsed, cancellationToken) =>
            {
                context.Connection = parsed.GetValue(connection) ?? context.Console.Environment(CliContext.ConnectionVariable) ?? CliContext.DefaultConnection;
                context.Prefix = parsed.GetValue(prefix) ?? context.Console.Environment(CliContext.PrefixVariable) ?? "rs";
                return action(parsed, context, cancellationToken);
            };

        root.Subcommands.Add(QueuesCommand.Create(Bound));
        root.Subcommands.Add(ShowCommand.Create(Bound));
        root.Subcommands.Add(PeekCommand.Create(Bound));
        root.Subcommands.Add(TopicsCommand.Create(Bound));
        root.Subcommands.Add(RedriveCommand.Create(Bound));
        root.Subcommands.Add(PurgeCommand.Create(Bound));
        root.Subcommands.Add(DeleteCommand.Create(Bound));
        root.Subcommands.Add(DashboardCommand.Create(Bound));
        return root;
    }

    static (int Code, string Message) Explain(Exception exception, CliContext context) => exception switch
    {
        CliException e => (e.ExitCode, e.Message),
        QueueNotFoundException e => (ExitCodes.NotFound, $"{e.Message} Run 'redis-streams queues' to list the queues under the prefix '{context.Prefix}' (--prefix to change it)."),
        RedisStreamsPermissionException e => (ExitCodes.PermissionDenied, e.Message),
        RedisStreamsConnectionException e => (ExitCodes.AuthenticationFailed, e.Message),
        RedisConnectionException or RedisTimeoutException => (ExitCodes.Unreachable, $"Lost the connection to Redis at {context.Endpoints}: {exception.Message}"),
        ArgumentException e => (ExitCodes.Usage, e.Message),
        OperationCanceledException => (ExitCodes.Interrupted, "Interrupted."),
        RedisServerException e => (ExitCodes.Failed, $"Redis refused the command: {e.Message}"),
        _ => (ExitCodes.Failed, $"Unexpected error ({exception.GetType().Name}): {exception.Message}"),
    };
}

/// <summary>Wraps a command's action so the global options are read first.</summary>
internal delegate Func<ParseResult, CancellationToken, Task<int>> ActionBinder(Func<ParseResult, CliContext, CancellationToken, Task<int>> action);
