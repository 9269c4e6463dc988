namespace RedisStreams.Transport.Receiving;

/// <summary>An auto-reset wake-up: any number of <see cref="Set"/> calls wake one waiter once.</summary>
internal sealed class AsyncSignal : IDisposable
{
    readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the waiter will wake anyway.
        }
        catch (ObjectDisposedException)
        {
            // Receiver is gone; nobody waits.
        }
    }

    /// <summary>Waits for a signal or the timeout; returns <c>true</c> when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
