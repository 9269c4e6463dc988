using System.Collections.Concurrent;

namespace RedisStreams.Transport.Receiving;

/// <summary>
/// Group commit for acknowledgements: one call in flight at a time, and every ack that arrives meanwhile
/// goes into the next call. Under load many acks share a round trip; alone, an ack goes out at once.
/// </summary>
internal sealed class AckBatcher
{
    const int MaxBatch = 256;

    readonly Func<IReadOnlyList<string>, Task> _flush;
    readonly ConcurrentQueue<(string EntryId, TaskCompletionSource Done)> _queue = new();
    int _flushing;

    public AckBatcher(Func<IReadOnlyList<string>, Task> flush) => _flush = flush;

    public Task AckAsync(string entryId)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Enqueue((entryId, done));
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
            var batch = new List<(string EntryId, TaskCompletionSource Done)>();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _flushing, 0);

                // An ack enqueued after our last look, whose caller saw us still flushing, must not be stranded.
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            try
            {
                await _flush([.. batch.Select(b => b.EntryId)]).ConfigureAwait(false);
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult();
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
