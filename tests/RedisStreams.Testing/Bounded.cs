namespace RedisStreams.Testing;

/// <summary>For tests of calls that must fail rather than hang: generous deadlines, never timings.</summary>
public static class Bounded
{
    /// <summary>
    /// Runs <paramref name="action"/> and returns the exception it failed with. Throws when it is still running
    /// after <paramref name="deadline"/> (it hangs) or when it succeeds.
    /// </summary>
    public static async Task<Exception> FailureWithinAsync(Func<Task> action, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(action);
        var task = Task.Run(action);
        if (await Task.WhenAny(task, Task.Delay(deadline)).ConfigureAwait(false) != task)
        {
            throw new TimeoutException($"Still waiting after {deadline}: the call hangs instead of failing.");
        }

        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The failure is the result.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }

        throw new InvalidOperationException("The call succeeded; it was expected to fail.");
    }
}
