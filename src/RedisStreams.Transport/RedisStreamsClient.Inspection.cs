using System.Net;
using RedisStreams.Transport.Naming;
using RedisStreams.Transport.Wire;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class RedisStreamsClient
{
    const string ReadCommands = "+xlen +xinfo|groups +xinfo|consumers +xpending +xrange +xrevrange +zcard +zrange +hlen +exists +time";

    /// <summary>Reads a queue's depth, pending entries, consumers, dead-letter and delayed counts for one group.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="group">The consumer group; defaults to the queue name.</param>
    public async Task<QueueStatistics> GetQueueStatisticsAsync(string queue, string? group = null)
    {
        var keys = KeysFor(queue);
        group ??= queue;
        var db = Database;
        var length = db.StreamLengthAsync(keys.Stream);
        var deadLettered = db.StreamLengthAsync(keys.DeadLetter);
        var delayed = db.SortedSetLengthAsync(keys.Delayed);
        var exists = await db.KeyExistsAsync(keys.Stream).ConfigureAwait(false);

        long pendingCount = 0;
        long? waiting = null;
        TimeSpan? oldestAge = null;
        IReadOnlyList<ConsumerStatistics> consumers = [];
        if (exists)
        {
            var groups = await db.StreamGroupInfoAsync(keys.Stream).ConfigureAwait(false);
            var info = groups.FirstOrDefault(g => g.Name == group);
            if (info.Name is not null)
            {
                waiting = info.Lag;
                var pending = db.StreamPendingAsync(keys.Stream, group);
                var consumerInfo = db.StreamConsumerInfoAsync(keys.Stream, group);
                var now = ServerTimeAsync(keys.Stream);
                pendingCount = (await pending.ConfigureAwait(false)).PendingMessageCount;
                oldestAge = AgeOf((await pending.ConfigureAwait(false)).LowestPendingMessageId, await now.ConfigureAwait(false));
                consumers = [.. (await consumerInfo.ConfigureAwait(false)).Select(c => new ConsumerStatistics(c.Name, c.PendingMessageCount, TimeSpan.FromMilliseconds(c.IdleTimeInMilliseconds)))];
            }
        }

        return new QueueStatistics
        {
            Queue = queue,
            Length = await length.ConfigureAwait(false),
            Waiting = waiting,
            Pending = pendingCount,
            OldestPendingAge = oldestAge,
            Consumers = consumers,
            DeadLettered = await deadLettered.ConfigureAwait(false),
            Delayed = await delayed.ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The names of every queue under the key prefix: every name that owns a stream, dead letters, scheduled
    /// messages or redrive bookkeeping. Scans the keyspace (<c>SCAN</c>, on every primary of a Cluster) in pages, so
    /// it never blocks Redis; the ACL user needs <c>+scan</c>.
    /// </summary>
    /// <param name="cancellationToken">Stops the scan.</param>
    public async Task<IReadOnlyList<string>> ListQueueNamesAsync(CancellationToken cancellationToken = default)
    {
        var keys = await GuardAsync(() => Scanner.ScanAsync(QueueKeys.Pattern(Options.KeyPrefix), cancellationToken), "listing queues", "+scan").ConfigureAwait(false);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (QueueKeys.TryParse(Options.KeyPrefix, key, out var queue))
            {
                names.Add(queue);
            }
        }

        return [.. names];
    }

    /// <summary>
    /// Every queue under the key prefix with its numbers (see <see cref="QueueSummary"/>), sorted by name. The
    /// cost is bounded: one <c>SCAN</c> pass, then a handful of read-only commands per queue, all pipelined, so the
    /// whole list takes two or three round trips however many queues there are.
    /// </summary>
    /// <param name="cancellationToken">Stops the scan.</param>
    public async Task<IReadOnlyList<QueueSummary>> ListQueuesAsync(CancellationToken cancellationToken = default)
    {
        var names = await ListQueueNamesAsync(cancellationToken).ConfigureAwait(false);
        return await GuardAsync(() => ReadSummariesAsync(names, skipForeign: true), "reading queue statistics", ReadCommands).ConfigureAwait(false);
    }

    /// <summary>
    /// The numbers of the given queues (see <see cref="QueueSummary"/>), in the order given, pipelined: for
    /// dashboards and gauges that know their queues. A queue that does not exist reads as empty.
    /// </summary>
    /// <param name="queues">The queues.</param>
    public async Task<IReadOnlyList<QueueSummary>> GetQueueSummariesAsync(IReadOnlyCollection<string> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        return await GuardAsync(() => ReadSummariesAsync(queues, skipForeign: false), "reading queue statistics", ReadCommands).ConfigureAwait(false);
    }

    /// <summary>One queue in detail: its numbers, every consumer group and every consumer with what it holds.</summary>
    /// <param name="queue">The queue.</param>
    /// <exception cref="QueueNotFoundException">The queue has no key at all.</exception>
    public async Task<QueueDetails> GetQueueDetailsAsync(string queue)
    {
        await ThrowIfMissingAsync(queue).ConfigureAwait(false);
        return await GuardAsync(() => ReadDetailsAsync(queue), $"reading queue '{queue}'", ReadCommands).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads entries of a queue, or of its dead-letter stream, without taking them: no consumer group sees the
    /// read, nothing is delivered or acknowledged. Oldest first, a page at a time.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="count">Entries per page, 1 to 1000.</param>
    /// <param name="after">Start after this entry id (<see cref="MessagePage.NextAfter"/> of the previous page); <c>null</c> for the oldest.</param>
    /// <param name="deadLetters">Read the queue's dead-letter stream instead of the queue.</param>
    /// <exception cref="QueueNotFoundException">The queue has no key at all.</exception>
    public async Task<MessagePage> PeekAsync(string queue, int count = 20, string? after = null, bool deadLetters = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 1000);
        if (after is not null && !EntryIds.IsValid(after))
        {
            throw new ArgumentException($"'{after}' is not a stream entry id. Entry ids look like 1700000000000-0.", nameof(after));
        }

        await ThrowIfMissingAsync(queue).ConfigureAwait(false);
        var keys = KeysFor(queue);
        var entries = await GuardAsync(
            () => Database.StreamRangeAsync(deadLetters ? keys.DeadLetter : keys.Stream, after is null ? "-" : "(" + after, "+", count + 1),
            $"reading queue '{queue}'",
            "+xrange").ConfigureAwait(false);
        var page = entries.Take(count).Select(StreamFields.Inspect).ToList();
        return new MessagePage { Messages = page, NextAfter = entries.Length > count ? page[^1].EntryId : null };
    }

    async Task<IReadOnlyList<QueueSummary>> ReadSummariesAsync(IReadOnlyCollection<string> queues, bool skipForeign)
    {
        var db = Database;
        var clocks = new Dictionary<EndPoint, Task<DateTime>>();
        var shared = KeysFor("error").Stream;
        var sharedExists = db.KeyExistsAsync(shared);
        var sharedLength = db.StreamLengthAsync(shared);

        // Phase 1: everything that needs no earlier answer, for every queue at once.
        var reads = queues.Select(queue =>
        {
            var keys = KeysFor(queue);
            RedisKey? errorQueue = QueueSummary.IsErrorQueueName(queue) || queue.Length + 6 > EntityName.MaxLength ? null : (RedisKey?)KeysFor(queue + "_error").Stream;
            return new SummaryReads(
                queue,
                keys,
                db.StreamLengthAsync(keys.Stream),
                db.StreamGroupInfoAsync(keys.Stream),
                db.StreamLengthAsync(keys.DeadLetter),
                db.SortedSetLengthAsync(keys.Delayed),
                db.HashLengthAsync(keys.Redrive),
                errorQueue is null ? null : db.KeyExistsAsync(errorQueue.Value),
                errorQueue is null ? null : db.StreamLengthAsync(errorQueue.Value),
                ClockOf(keys.Stream, clocks));
        }).ToList();

        // Phase 2: the oldest pending entry of every group that has one.
        var pendingReads = new List<(SummaryReads Reads, Task<StreamPendingInfo> Pending)>();
        var groupsOf = new Dictionary<SummaryReads, StreamGroupInfo[]>();
        foreach (var read in reads)
        {
            var groups = await GroupsOrEmptyAsync(read.Groups).ConfigureAwait(false);
            groupsOf[read] = groups;
            pendingReads.AddRange(groups.Where(g => g.PendingMessageCount > 0).Select(g => (read, db.StreamPendingAsync(read.Keys.Stream, g.Name))));
        }

        var summaries = new List<QueueSummary>(reads.Count);
        foreach (var read in reads)
        {
            long length;
            try
            {
                length = await read.Length.ConfigureAwait(false);
            }
            catch (RedisServerException e) when (skipForeign && e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
            {
                // A key under our prefix that is not a stream was not written by this product: not a queue.
                continue;
            }

            var groups = groupsOf[read];
            var now = await read.Clock.ConfigureAwait(false);
            TimeSpan? oldest = null;
            foreach (var (_, pending) in pendingReads.Where(p => p.Reads == read))
            {
                var age = AgeOf((await pending.ConfigureAwait(false)).LowestPendingMessageId, now);
                oldest = oldest is null || age > oldest ? age : oldest;
            }

            string? errorQueue = null;
            long? errorDepth = null;
            if (read.ErrorExists is not null && await read.ErrorExists.ConfigureAwait(false))
            {
                errorQueue = read.Queue + "_error";
                errorDepth = await read.ErrorLength!.ConfigureAwait(false);
            }
            else if (!QueueSummary.IsErrorQueueName(read.Queue) && await sharedExists.ConfigureAwait(false))
            {
                errorQueue = "error";
                errorDepth = await sharedLength.ConfigureAwait(false);
            }

            summaries.Add(new QueueSummary
            {
                Queue = read.Queue,
                Length = length,
                Waiting = groups.Length == 0 || groups.Any(g => g.Lag is null) ? null : groups.Max(g => g.Lag!.Value),
                Pending = groups.Sum(g => (long)g.PendingMessageCount),
                OldestPendingAge = oldest,
                Groups = groups.Length,
                Consumers = groups.Sum(g => (long)g.ConsumerCount),
                Delayed = await read.Delayed.ConfigureAwait(false),
                DeadLettered = await read.DeadLetters.ConfigureAwait(false),
                InRedrive = await read.Parked.ConfigureAwait(false) / 2,
                ErrorQueue = errorQueue,
                ErrorQueueDepth = errorDepth,
            });
        }

        // Observe what a skipped queue left unawaited, so no failure goes unseen by the runtime.
        await Task.WhenAll(reads.SelectMany(r => new Task[] { r.DeadLetters, r.Delayed, r.Parked })).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _ = await sharedLength.ConfigureAwait(false);
        return summaries;
    }

    async Task<QueueDetails> ReadDetailsAsync(string queue)
    {
        var db = Database;
        var keys = KeysFor(queue);
        var summary = ReadSummariesAsync([queue], skipForeign: false);
        var groups = await GroupsOrEmptyAsync(db.StreamGroupInfoAsync(keys.Stream)).ConfigureAwait(false);
        var first = db.StreamRangeAsync(keys.Stream, "-", "+", 1);
        var last = db.StreamRangeAsync(keys.Stream, "-", "+", 1, Order.Descending);
        var next = db.SortedSetRangeByRankWithScoresAsync(keys.Delayed, 0, 0);
        var clock = ServerTimeAsync(keys.Stream);
        var perGroup = groups.Select(g => (Info: g, Consumers: db.StreamConsumerInfoAsync(keys.Stream, g.Name), Pending: db.StreamPendingAsync(keys.Stream, g.Name))).ToList();
        var now = await clock.ConfigureAwait(false);
        var details = new List<ConsumerGroupDetails>();
        foreach (var (info, consumers, pending) in perGroup)
        {
            var lowest = (await pending.ConfigureAwait(false)).LowestPendingMessageId;
            details.Add(new ConsumerGroupDetails
            {
                Name = info.Name,
                Pending = info.PendingMessageCount,
                Waiting = info.Lag,
                LastDeliveredId = info.LastDeliveredId ?? "0-0",
                OldestPendingId = lowest.IsNull ? null : (string?)lowest,
                OldestPendingAge = AgeOf(lowest, now),
                Consumers = [.. (await consumers.ConfigureAwait(false))
                    .Select(c => new ConsumerStatistics(c.Name, c.PendingMessageCount, TimeSpan.FromMilliseconds(c.IdleTimeInMilliseconds)))
                    .OrderBy(c => c.Name, StringComparer.Ordinal)],
            });
        }

        var due = await next.ConfigureAwait(false);
        return new QueueDetails
        {
            Summary = (await summary.ConfigureAwait(false))[0],
            Groups = [.. details.OrderBy(g => g.Name, StringComparer.Ordinal)],
            FirstEntryId = (await first.ConfigureAwait(false)).Select(e => (string?)e.Id).FirstOrDefault(),
            LastEntryId = (await last.ConfigureAwait(false)).Select(e => (string?)e.Id).FirstOrDefault(),
            NextDelayedDue = due.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)due[0].Score),
        };
    }

    static async Task<StreamGroupInfo[]> GroupsOrEmptyAsync(Task<StreamGroupInfo[]> groups)
    {
        try
        {
            return await groups.ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("ERR no such key", StringComparison.Ordinal) || e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // No stream (only dead letters or scheduled messages), or not a stream: no groups.
            return [];
        }
    }

    /// <summary>The clock of the server that holds <paramref name="key"/>: entry ids are stamped with it.</summary>
    Task<DateTime> ServerTimeAsync(RedisKey key) => Multiplexer.GetServer(key).TimeAsync();

    Task<DateTime> ClockOf(RedisKey key, Dictionary<EndPoint, Task<DateTime>> clocks)
    {
        var server = Multiplexer.GetServer(key);
        if (!clocks.TryGetValue(server.EndPoint, out var time))
        {
            time = server.TimeAsync();
            clocks[server.EndPoint] = time;
        }

        return time;
    }

    static TimeSpan? AgeOf(RedisValue entryId, DateTime serverNow)
    {
        if (entryId.IsNull || !EntryIds.IsValid(entryId))
        {
            return null;
        }

        var enqueued = DateTimeOffset.FromUnixTimeMilliseconds(EntryIds.Milliseconds(entryId!));
        var age = new DateTimeOffset(DateTime.SpecifyKind(serverNow, DateTimeKind.Utc)) - enqueued;
        return age < TimeSpan.Zero ? TimeSpan.Zero : age;
    }

    sealed record SummaryReads(
        string Queue,
        QueueKeys Keys,
        Task<long> Length,
        Task<StreamGroupInfo[]> Groups,
        Task<long> DeadLetters,
        Task<long> Delayed,
        Task<long> Parked,
        Task<bool>? ErrorExists,
        Task<long>? ErrorLength,
        Task<DateTime> Clock);
}
