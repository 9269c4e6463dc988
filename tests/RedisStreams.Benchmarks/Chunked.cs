namespace RedisStreams.Benchmarks;

/// <summary>Starts sends concurrently, at most 1 000 in flight, as a busy producer would.</summary>
internal static class Chunked
{
    public static async Task SendAsync(int count, Func<int, Task> send)
    {
        var sends = new List<Task>(1000);
        for (var i = 0; i < count; i++)
        {
            sends.Add(send(i));
            if (sends.Count == 1000)
            {
                await Task.WhenAll(sends);
                sends.Clear();
            }
        }

        await Task.WhenAll(sends);
    }
}
