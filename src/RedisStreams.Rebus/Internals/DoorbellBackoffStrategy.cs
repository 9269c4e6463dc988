using Rebus.Workers.ThreadPoolBased;

namespace RedisStreams.Rebus.Internals;

/// <summary>
/// Rebus's back-off, adjusted to a transport whose <c>Receive</c> waits for the queue's doorbell. When every parallel
/// slot is busy, the next slot frees as soon as one of the transactions holding them ends (acknowledgements do not
/// wait for Redis), so the worker waits for that end, at most a millisecond, instead of sleeping Rebus's back-off
/// time. After an empty receive the worker backs off as configured (<c>SetBackoffTimes</c>, or Rebus's defaults), but
/// a message that arrives meanwhile ends the back-off at once: the back-off spaces out the receives of an idle bus, never delays a new message. Waiting after
/// errors stays Rebus's (or the user's) own.
/// </summary>
internal sealed class DoorbellBackoffStrategy(IBackoffStrategy inner, RedisStreamsTransport transport) : IBackoffStrategy
{
    static readonly TimeSpan SlotPoll = TimeSpan.FromMilliseconds(1);

    public void Reset() => inner.Reset();

    // The millisecond bounds the wait for a slot that frees without a transaction of ours ending (an empty receive).
    public void Wait(CancellationToken token)
    {
        try
        {
            transport.TransactionEnded.Wait(SlotPoll, token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the worker sees the cancellation itself, as after Rebus's own sleep.
        }
    }

    public Task WaitAsync(CancellationToken token) => transport.TransactionEnded.WaitAsync(SlotPoll, token);

    public void WaitNoMessage(CancellationToken token)
    {
        try
        {
            WaitNoMessageAsync(token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Like Rebus's own synchronous wait: cancellation just ends it.
        }
    }

    public async Task WaitNoMessageAsync(CancellationToken token)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(token);
        var backoff = inner.WaitNoMessageAsync(either.Token);
        var arrival = transport.WaitForIncomingAsync(either.Token);
        await Task.WhenAny(backoff, arrival).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(backoff, arrival).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            // The other wait, ended because one finished first.
        }
    }

    public void WaitError(CancellationToken token) => inner.WaitError(token);

    public Task WaitErrorAsync(CancellationToken token) => inner.WaitErrorAsync(token);
}
