namespace RedisStreams.Rebus.Internals;

/// <summary>
/// Tells a Rebus worker that waits for a free parallel slot that one of our transactions ended, so the slot it held
/// is free (or about to be: Rebus releases it right after disposing the transaction). Auto-reset: many ends wake one
/// wait once. Never disposed: a semaphore whose wait handle is never asked for holds nothing to release.
/// </summary>
internal sealed class TransactionEndSignal
{
    readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        // Most calls find nobody waiting and the signal already set; Release would throw then.
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
            // Set by another end at the same moment: the waiter wakes anyway.
        }
    }

    /// <summary>Waits for the next end, at most <paramref name="timeout"/>; cancellation just ends the wait.</summary>
    public void Wait(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            _semaphore.Wait(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>As <see cref="Wait"/>, without blocking a thread; cancellation throws, as <see cref="Task.Delay(TimeSpan, CancellationToken)"/> does.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
