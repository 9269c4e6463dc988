using System.Diagnostics;
using RedisStreams.Transport.Batching;
using RedisStreams.Transport.Diagnostics;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Scripts;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    // One script call carries at most this many messages, so a huge batch never stalls Redis in one go.
    const int MessagesPerCall = 128;

    // And at most this many argument values: 2,400 RedisValues of 32 bytes stay below the large-object heap's
    // 85,000 bytes. Arrays there are freed only by full (gen2) collections, and 128 framework messages of a dozen
    // headers each had made one or two of 100-260 KB per call.
    const int ValuesPerCall = 2_400;

    /// <summary>Writes a message to a queue, or schedules it when it has a <see cref="OutgoingMessage.Delay"/>.</summary>
    /// <param name="queue">The destination queue; it need not exist yet.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels waiting for the reply (the write may still happen).</param>
    /// <returns>The stream entry id, or for a delayed message the token that <see cref="CancelScheduledAsync"/> takes.</returns>
    /// <exception cref="RedisStreamsUnavailableException">Redis did not take the write within <see cref="RedisStreamsOptions.WriteRetryTimeout"/>.</exception>
    /// <exception cref="RedisStreamsOutOfMemoryException">Redis reached <c>maxmemory</c>; nothing was written.</exception>
    /// <exception cref="RedisStreamsReplicationException">Durable writes are on and too few replicas confirmed the write.</exception>
    public async Task<string> SendAsync(string queue, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var keys = KeysFor(queue);
        using var activity = MessageTracing.StartSend("send", queue);
        var trace = MessageTracing.Outgoing(activity);
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            if (IsDelayed(message))
            {
                var token = message.ScheduleToken ?? Guid.NewGuid().ToString("N");
                await ScheduleAsync(keys, [(message, token, trace)], startedAt).WaitAsync(cancellationToken).ConfigureAwait(false);
                return token;
            }

            // Concurrent single sends to one queue share script calls: a busy application sends as SendManyAsync would.
            var entryId = await SenderFor(keys).AddAsync(new PendingSend(StreamFields.Encode(message, trace), startedAt)).WaitAsync(cancellationToken).ConfigureAwait(false);
            activity?.SetTag("messaging.message.id", entryId);
            return entryId;
        }
        catch (Exception e)
        {
            MessageTracing.Failed(activity, e);
            throw;
        }
    }

    /// <summary>
    /// Writes many messages, to one or many queues, pipelined: one round trip per queue and batch of messages,
    /// all in flight at once. Messages to the same queue keep their order. Concurrent calls to one queue share
    /// script calls, as concurrent <see cref="SendAsync"/> calls do.
    /// </summary>
    /// <param name="messages">Destination queue and message pairs.</param>
    /// <param name="cancellationToken">Cancels waiting for the replies (writes may still happen).</param>
    /// <exception cref="RedisStreamsWriteException">A write failed (see <see cref="SendAsync"/>); others may have succeeded.</exception>
    public async Task SendManyAsync(IEnumerable<(string Queue, OutgoingMessage Message)> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var startedAt = Stopwatch.GetTimestamp();
        var pending = new List<Task>();
        var spans = new SendSpans();
        try
        {
            // Every name checked and every message encoded before the first is handed over: a bad one fails the
            // call having sent nothing.
            var queues = new List<(QueueKeys Keys, List<RedisValue[]> Immediate, List<(OutgoingMessage, string, TraceFields)> Delayed)>();
            foreach (var group in messages.GroupBy(m => m.Queue, StringComparer.Ordinal))
            {
                var keys = KeysFor(group.Key);
                var immediate = new List<RedisValue[]>();
                var delayed = new List<(OutgoingMessage, string, TraceFields)>();
                var trace = spans.Start(group.Key, group.Count());
                foreach (var (_, message) in group)
                {
                    ArgumentNullException.ThrowIfNull(message);
                    if (IsDelayed(message))
                    {
                        delayed.Add((message, message.ScheduleToken ?? Guid.NewGuid().ToString("N"), trace));
                    }
                    else
                    {
                        immediate.Add(StreamFields.Encode(message, trace));
                    }
                }

                queues.Add((keys, immediate, delayed));
            }

            foreach (var (keys, immediate, delayed) in queues)
            {
                // Through the queue's group commit: many small transactions (a Rebus handler's outgoing messages,
                // say) go out in one script call, and one call in flight per queue keeps their order.
                var sender = SenderFor(keys);
                foreach (var fields in immediate)
                {
                    pending.Add(sender.AddAsync(new PendingSend(fields, startedAt)));
                }

                foreach (var chunk in delayed.Chunk(MessagesPerCall))
                {
                    pending.Add(ScheduleAsync(keys, chunk, startedAt));
                }
            }

            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            spans.Failed(e);
            throw;
        }
        finally
        {
            spans.Stop();
        }
    }

    /// <summary>
    /// Publishes a message: writes one copy to every queue subscribed to the topic, directly or through
    /// linked topics, each queue exactly once.
    /// </summary>
    /// <param name="topic">The topic, e.g. a message type name.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels waiting for the replies.</param>
    /// <returns>The number of queues written to; 0 when nobody subscribed.</returns>
    /// <exception cref="RedisStreamsWriteException">Looking up the subscribers or writing to one of them failed (see <see cref="SendAsync"/>); the message names the topic and the queue.</exception>
    public async Task<int> PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = MessageTracing.StartSend("publish", topic);
        IReadOnlyCollection<string> queues;
        try
        {
            queues = await Subscriptions.ResolveQueuesAsync(topic).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (queues.Count == 0)
            {
                // Normal for a topic nobody listens to yet; after Redis lost the registry, the only symptom.
                TransportMetrics.Unrouted.Add(1, TransportMetrics.Topic(topic));
                _logger.PublishedToNobody(topic);
                return 0;
            }

            await SendManyAsync(queues.Select(q => (q, message)), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisStreamsWriteException e)
        {
            var failure = WriteFailures.Publishing(topic, e);
            MessageTracing.Failed(activity, failure);
            throw failure;
        }

        activity?.SetTag("redisstreams.publish.queue_count", queues.Count);
        return queues.Count;
    }

    /// <summary>Cancels a delayed message that is not yet due.</summary>
    /// <param name="queue">The queue it was sent to.</param>
    /// <param name="token">The token <see cref="SendAsync"/> returned.</param>
    /// <returns><c>true</c> when the message was still waiting and will now never be delivered.</returns>
    public async Task<bool> CancelScheduledAsync(string queue, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var keys = KeysFor(queue);
        var removed = await Database.ScriptEvaluateAsync(LuaScripts.Cancel, [keys.Delayed, keys.DelayedData], [token]).ConfigureAwait(false);
        return (long)removed == 1;
    }

    GroupCommit<PendingSend, string> SenderFor(QueueKeys keys) =>
        _senders.GetOrAdd(keys.Queue, _ => new GroupCommit<PendingSend, string>(batch => AppendAsync(keys, batch), MessagesPerCall, static send => ScriptValues(send.Fields), ValuesPerCall));

    /// <summary>The argument values one message takes in the send script: its field count, then its fields.</summary>
    static int ScriptValues(RedisValue[] fields) => fields.Length + 1;

    static bool IsDelayed(OutgoingMessage message) => message.Delay is { } delay && delay > TimeSpan.Zero;

    /// <summary>
    /// One group-commit flush: one script call, one retry window (from the oldest message's start), one WAIT. A
    /// batch holding messages too large for a script goes out in order, in several writes (see
    /// <see cref="AppendInOrderAsync"/>), each through the same guard and window.
    /// </summary>
    async Task<IReadOnlyList<string>> AppendAsync(QueueKeys keys, IReadOnlyCollection<PendingSend> messages)
    {
        var encoded = new List<RedisValue[]>(messages.Count);
        var startedAt = long.MaxValue;
        foreach (var (fields, started) in messages)
        {
            encoded.Add(fields);
            startedAt = Math.Min(startedAt, started);
        }

        IReadOnlyList<string> ids = encoded.Exists(OversizedEntries.IsOversized)
            ? await AppendInOrderAsync(keys, encoded, startedAt).ConfigureAwait(false)
            : await AppendByScriptAsync(keys, encoded, startedAt).ConfigureAwait(false);
        TransportMetrics.Sent.Add(messages.Count, TransportMetrics.Queue(keys.Queue));
        return ids;
    }

    /// <summary>
    /// A batch with messages too large for a script (more field values than Lua can unpack): the runs of
    /// ordinary messages go through the script, the large ones through <see cref="OversizedEntries"/>, one after
    /// another, so the batch keeps its order.
    /// </summary>
    async Task<IReadOnlyList<string>> AppendInOrderAsync(QueueKeys keys, List<RedisValue[]> encoded, long startedAt)
    {
        var ids = new List<string>(encoded.Count);
        var run = new List<RedisValue[]>();
        var oversized = OversizedFor(keys);
        foreach (var fields in encoded)
        {
            if (!OversizedEntries.IsOversized(fields))
            {
                run.Add(fields);
                continue;
            }

            if (run.Count > 0)
            {
                ids.AddRange(await AppendByScriptAsync(keys, run, startedAt).ConfigureAwait(false));
                run.Clear();
            }

            ids.Add(await oversized.AppendAsync(fields, startedAt).ConfigureAwait(false));
        }

        if (run.Count > 0)
        {
            ids.AddRange(await AppendByScriptAsync(keys, run, startedAt).ConfigureAwait(false));
        }

        return ids;
    }

    async Task<string[]> AppendByScriptAsync(QueueKeys keys, List<RedisValue[]> encoded, long startedAt)
    {
        // Sized exactly, once: a growing list would copy itself and could outgrow the large-object threshold.
        var scriptArgs = new RedisValue[1 + encoded.Sum(ScriptValues)];
        scriptArgs[0] = keys.Doorbell.ToString();
        var next = 1;
        foreach (var fields in encoded)
        {
            scriptArgs[next++] = fields.Length;
            fields.CopyTo(scriptArgs, next);
            next += fields.Length;
        }

        RedisKey[] scriptKeys = [keys.Stream, keys.Waiting];
        var result = await Writes.WriteAsync(
            $"queue '{keys.Queue}'",
            keys.Stream,
            flags => Database.ScriptEvaluateAsync(LuaScripts.Send, scriptKeys, scriptArgs, flags),
            startedAt).ConfigureAwait(false);
        return (string[])result!;
    }

    async Task ScheduleAsync(QueueKeys keys, IReadOnlyCollection<(OutgoingMessage Message, string Token, TraceFields Trace)> messages, long startedAt)
    {
        var args = new List<RedisValue>(1 + (messages.Count * 3)) { keys.Doorbell.ToString() };
        foreach (var (message, token, trace) in messages)
        {
            args.Add(Math.Max(1, (long)Math.Ceiling(message.Delay!.Value.TotalMilliseconds)));
            args.Add(token);
            args.Add(PackedFields.Pack(StreamFields.Encode(message, trace)));
        }

        RedisKey[] scriptKeys = [keys.Delayed, keys.DelayedData];
        RedisValue[] scriptArgs = [.. args];
        await Writes.WriteAsync(
            $"the delayed messages of queue '{keys.Queue}'",
            keys.Delayed,
            flags => Database.ScriptEvaluateAsync(LuaScripts.Schedule, scriptKeys, scriptArgs, flags),
            startedAt).ConfigureAwait(false);
        TransportMetrics.Scheduled.Add(messages.Count, TransportMetrics.Queue(keys.Queue));
    }

    /// <summary>
    /// A message waiting for its queue's next group-commit flush, as the fields of its stream entry (encoded in the
    /// caller's flow, which holds its trace context; a message that cannot be encoded fails alone), and when its
    /// caller asked to send it.
    /// </summary>
    readonly record struct PendingSend(RedisValue[] Fields, long StartedAt);
}
