using System.Text;
using RedisStreams.Testing;

namespace RedisStreams.Transport.Tests.Resilience;

/// <summary>Small helpers shared by the outage, durability, eviction and memory tests.</summary>
internal static class ResilienceTestSupport
{
    public static OutgoingMessage Message(string id, TimeSpan? delay = null) =>
        new(new Dictionary<string, string> { ["id"] = id }, Encoding.UTF8.GetBytes($"body of {id}")) { Delay = delay };

    /// <summary>A message with 5,000 headers: more field values than a Redis script may write, so the client writes it itself.</summary>
    public static OutgoingMessage TooLargeForAScript(string id)
    {
        var headers = Enumerable.Range(0, 5000).ToDictionary(i => $"h{i}", i => $"value {i}");
        headers["id"] = id;
        return new OutgoingMessage(headers, Encoding.UTF8.GetBytes($"body of {id}"));
    }

    /// <summary>Runs <paramref name="action"/> and returns the exception it failed with; fails the test if it hangs past <paramref name="deadline"/>.</summary>
    public static async Task<TException> FailsWithinAsync<TException>(Func<Task> action, TimeSpan deadline)
        where TException : Exception =>
        Assert.IsAssignableFrom<TException>(await Bounded.FailureWithinAsync(action, deadline));
}
