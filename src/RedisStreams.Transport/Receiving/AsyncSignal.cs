namespace RedisStreams.Transport.Receiving;

/// <summary>An auto-reset wake-up: any number of <see cref="Set"/> calls wake one waiter once.</summary>
internal sealed class AsyncSignal : IDisposable
{
    readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        // Checked first because throwing is expensive and most calls find the signal already set; the
        // exception below is left for the rare race between two setters.
        if (_semaphore.CurrentCount > 0)
        {
            return;
        }

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

    /// <summary>As <see cref="WaitAsync"/>, blocking the calling thread (for callers whose contract is synchronous).</summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.Wait(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
