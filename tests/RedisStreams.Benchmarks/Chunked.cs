namespace RedisStreams.Benchmarks;

/// <summary>Starts sends concurrently, at most 1 000 in flight, as a busy producer would.</summary>
internal static class Chunked
{
    /// <summary>
    /// How long one chunk of sends may take before the run fails as stalled: a broker that refuses a declaration
    /// or blocks publishers makes sends hang without an exception, and a benchmark should fail, not wait for ever.
    /// </summary>
    static readonly TimeSpan StallBound = TimeSpan.FromMinutes(1);

    public static async Task SendAsync(int count, Func<int, Task> send)
    {
        var sends = new List<Task>(1000);
        for (var i = 0; i < count; i++)
        {
            sends.Add(send(i));
            if (sends.Count == 1000)
            {
                await WhenAllAsync(sends);
                sends.Clear();
            }
        }

        await WhenAllAsync(sends);
    }

    static async Task WhenAllAsync(List<Task> sends)
    {
        try
        {
            await Task.WhenAll(sends).WaitAsync(StallBound);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{sends.Count(s => !s.IsCompleted):N0} of {sends.Count:N0} sends did not complete within {StallBound.TotalSeconds:N0} s: the transport stalled.", e);
        }
    }
}
