using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>Keeps trying an operation across Redis restarts, pauses and killed connections.</summary>
internal static class Retry
{
    public static async Task<T> ResultAsync<T>(Func<Task<T>> operation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (Exception e) when ((e is RedisException or TimeoutException or RedisStreamsWriteException) && attempt < 50)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>For frameworks that wrap Redis errors in their own exceptions: retries anything but cancellation.</summary>
    public static async Task AnyUntilDoneAsync(Func<Task> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await operation();
                return;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)), cancellationToken);
            }
        }
    }

    public static async Task UntilDoneAsync(Func<Task> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await operation();
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or RedisStreamsWriteException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)), cancellationToken);
            }
        }
    }
}
