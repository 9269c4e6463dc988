namespace RedisStreams.Transport.Receiving;

/// <summary>An auto-reset wake-up: any number of <see cref="Set"/> calls wake one waiter once.</summary>
internal sealed class AsyncSignal : IDisposable
{
    readonly SemaphoreSlim _semaphore = new(0, 1);

    // 1 from the Set that released the semaphore until a waiter has taken that release: only the Set that turns
    // it to 1 releases, so the semaphore never overflows (setters racing used to throw SemaphoreFullException,
    // several a second under load, each one seen by every tool that records exceptions).
    int _set;

    public void Set()
    {
        if (Interlocked.CompareExchange(ref _set, 1, 0) != 0)
        {
            // Already signalled: the waiter will wake anyway.
            return;
        }

        try
        {
            _semaphore.Release();
        }
        catch (ObjectDisposedException)
        {
            // Receiver is gone; nobody waits.
        }
    }

    /// <summary>Waits for a signal or the timeout; returns <c>true</c> when signalled.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Taken(await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false));

    /// <summary>As <see cref="WaitAsync"/>, blocking the calling thread (for callers whose contract is synchronous).</summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken) => Taken(_semaphore.Wait(timeout, cancellationToken));

    // Cleared after the release was taken and before the waiter looks at what it waits for: a Set in between
    // finds the flag still 1 and skips, but what it signals happened before the waiter looks. A full fence, so
    // the waiter's reads after it cannot move before the clear.
    bool Taken(bool signalled)
    {
        if (signalled)
        {
            Interlocked.Exchange(ref _set, 0);
        }

        return signalled;
    }

    public void Dispose() => _semaphore.Dispose();
}
