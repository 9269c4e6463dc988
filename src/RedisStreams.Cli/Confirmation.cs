namespace RedisStreams.Cli;

/// <summary>Asks before a destructive command, and refuses when nobody can answer and <c>--yes</c> was not given.</summary>
internal static class Confirmation
{
    /// <summary>Returns when confirmed; otherwise throws <see cref="CliException"/> with <see cref="ExitCodes.NotConfirmed"/>.</summary>
    /// <param name="context">The run.</param>
    /// <param name="what">What will happen, e.g. "Purge queue 'orders': 12 messages".</param>
    /// <param name="yes">Whether <c>--yes</c> was given.</param>
    public static async Task RequireAsync(CliContext context, string what, bool yes)
    {
        if (yes)
        {
            return;
        }

        if (!context.Console.CanPrompt)
        {
            throw new CliException(ExitCodes.NotConfirmed, $"Not confirmed: {what}. Standard input is not a terminal, so nobody can answer; add --yes to confirm in a script.");
        }

        context.Console.Error.Write(context.Redactor.Scrub($"{what}. Continue? [y/N] "));
        var answer = (await context.Console.In.ReadLineAsync().ConfigureAwait(false))?.Trim();
        if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(ExitCodes.NotConfirmed, "Not confirmed; nothing was changed.");
        }
    }
}
