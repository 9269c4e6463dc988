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
    readonly ConcurrentQueue<(TItem Item, TaskCompletionSource<TResult> Done)> _queue = new();
    int _flushing;

    public GroupCommit(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> flush, int maxBatch)
    {
        _flush = flush;
        _maxBatch = maxBatch;
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
            while (batch.Count < _maxBatch && _queue.TryDequeue(out var entry))
            {
                batch.Add(entry);
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
