using System.Collections.Concurrent;

namespace RedisStreams.Transport.Batching;

/// <summary>
/// Group commit: one call in flight at a time, and every item that arrives meanwhile goes into the next call.
/// Under load many items share a round trip (and one script run in Redis); alone, an item goes out at once.
/// </summary>
/// <typeparam name="TItem">What callers hand in.</typeparam>
/// <typeparam name="TResult">What each item gets back, in order.</typeparam>
internal sealed class GroupCommit<TItem, TResult>
{
    readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _flush;
    readonly int _maxBatch;
    readonly Func<TItem, int>? _weight;
    readonly int _maxWeight;
    readonly ConcurrentQueue<(TItem Item, TaskCompletionSource<TResult> Done)> _queue = new();
    int _flushing;

    /// <param name="flush">Writes one batch; returns one result per item, in order.</param>
    /// <param name="maxBatch">The most items in one call.</param>
    /// <param name="weight">What an item costs towards <paramref name="maxWeight"/>; <c>null</c> when only the count matters.</param>
    /// <param name="maxWeight">The most weight in one call; a single heavier item still goes, alone.</param>
    public GroupCommit(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> flush, int maxBatch, Func<TItem, int>? weight = null, int maxWeight = int.MaxValue)
    {
        _flush = flush;
        _maxBatch = maxBatch;
        _weight = weight;
        _maxWeight = maxWeight;
    }

    public Task<TResult> AddAsync(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Enqueue((item, done));
        if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
        {
            _ = Task.Run(FlushAsync);
        }

        return done.Task;
    }

    async Task FlushAsync()
    {
        while (true)
        {
            var batch = new List<(TItem Item, TaskCompletionSource<TResult> Done)>();
            // Only this loop takes items (one flush runs at a time), so what it peeks is what it dequeues.
            var weight = 0;
            while (batch.Count < _maxBatch && _queue.TryPeek(out var next))
            {
                var itemWeight = _weight?.Invoke(next.Item) ?? 0;
                if (batch.Count > 0 && weight + itemWeight > _maxWeight)
                {
                    break;
                }

                _queue.TryDequeue(out var entry);
                batch.Add(entry);
                weight += itemWeight;
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _flushing, 0);

                // An item enqueued after our last look, whose caller saw us still flushing, must not be stranded.
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            try
            {
                var results = await _flush([.. batch.Select(b => b.Item)]).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(e);
                }
            }
        }
    }
}
