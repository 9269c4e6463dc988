using System.Diagnostics;
using RedisStreams.Transport.Subscriptions;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class SubscriptionRegistry
{
    /// <summary>Whether this client subscribed or linked anything it must keep in Redis.</summary>
    internal bool HasAssertions => !_asserted.IsEmpty;

    /// <summary>
    /// Writes again what this client subscribed and linked, where Redis lost it. A topic is looked at when its
    /// epoch is gone or changed (one <c>GET</c> per topic, all in flight at once), when this client never got to
    /// write its epoch (Redis was out of memory), or, with <paramref name="everyTopic"/>, in any case: after a
    /// restart or failover the epoch may have survived while a later subscription was lost. A topic found whole is
    /// not written (see <see cref="EnsureAsync"/>). Every write goes through the client's write guard: bounded
    /// retries, out of memory at once (the caller tries again later), <c>WAIT</c> in durable mode.
    /// </summary>
    /// <param name="everyTopic">Look at every topic, whatever its epoch.</param>
    /// <param name="restored">Told about each topic where something was missing, as soon as it is written again and
    /// publishers were told, so a failure on a later topic loses no report.</param>
    internal async Task RestoreAsync(bool everyTopic, Action<RestoredTopic> restored)
    {
        var remembered = _asserted.Epochs();
        if (remembered.Count == 0)
        {
            return;
        }

        var reads = remembered.Select(t =>
        {
            var key = Keys(t.Topic).Epoch;
            return _client.Writes.ReadAsync(Destination(t.Topic), key, () => Database.StringGetAsync(key));
        }).ToArray();
        await Task.WhenAll(reads).ConfigureAwait(false);
        var suspects = new List<(string Topic, bool EpochLost)>();
        for (var i = 0; i < remembered.Count; i++)
        {
            var known = remembered[i].Epoch;
            var epochLost = !known.IsNull && reads[i].Result != known;
            if (epochLost || known.IsNull || everyTopic)
            {
                suspects.Add((remembered[i].Topic, epochLost));
            }
        }

        if (suspects.Count == 0)
        {
            return;
        }

        var anyRestored = false;
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var (topic, epochLost) in suspects)
            {
                // Read under the lock: an unsubscribe that finished meanwhile is not undone.
                var (queues, links) = _asserted.Of(topic);
                if (queues.Length == 0 && links.Length == 0)
                {
                    continue;
                }

                var startedAt = Stopwatch.GetTimestamp();
                var written = await EnsureAsync(topic, queues, links, startedAt).ConfigureAwait(false);
                _asserted.SetEpoch(topic, written.Epoch);
                if (written.AddedQueues.Length > 0 || written.AddedLinks.Length > 0)
                {
                    await ChangeVersionAsync(topic, startedAt).ConfigureAwait(false);
                    anyRestored = true;
                    restored(new RestoredTopic(topic, written.AddedQueues, written.AddedLinks, epochLost));
                }
            }

            if (!anyRestored)
            {
                // Another client restored the topic first: its version change reaches other publishers; ours
                // must not keep what it resolved before.
                _resolved.Clear();
            }
        }
        finally
        {
            _writes.Release();
        }
    }
}

/// <summary>Registry entries of one topic that Redis had lost and this client wrote again.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Queues">Its subscribers that were missing.</param>
/// <param name="Links">The topics it links to whose links were missing.</param>
/// <param name="EpochLost">Whether the topic's keys were gone (rather than one member lost in a restart or failover).</param>
internal sealed record RestoredTopic(string Topic, IReadOnlyList<string> Queues, IReadOnlyList<string> Links, bool EpochLost);
