using Rebus.Workers.ThreadPoolBased;

namespace RedisStreams.Rebus.Internals;

/// <summary>
/// Rebus's back-off, adjusted to a transport whose <c>Receive</c> already waits for the queue's doorbell:
/// after an empty receive there is nothing more to wait for, and when every parallel slot is busy the next
/// slot frees as soon as an acknowledgement's round trip ends (about a millisecond), not after Rebus's
/// 100 ms default. Waiting after errors stays Rebus's (or the user's) own.
/// </summary>
internal sealed class DoorbellBackoffStrategy(IBackoffStrategy inner) : IBackoffStrategy
{
    static readonly TimeSpan SlotPoll = TimeSpan.FromMilliseconds(1);

    public void Reset() => inner.Reset();

    public void Wait(CancellationToken token) => token.WaitHandle.WaitOne(SlotPoll);

    public Task WaitAsync(CancellationToken token) => Task.Delay(SlotPoll, token);

    public void WaitNoMessage(CancellationToken token)
    {
    }

    public Task WaitNoMessageAsync(CancellationToken token) => Task.CompletedTask;

    public void WaitError(CancellationToken token) => inner.WaitError(token);

    public Task WaitErrorAsync(CancellationToken token) => inner.WaitErrorAsync(token);
}
