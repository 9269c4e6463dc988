using RedisStreams.Transport.Subscriptions;
using StackExchange.Redis;

namespace RedisStreams.Transport;

public sealed partial class SubscriptionRegistry
{
    /// <summary>Whether this client subscribed or linked anything it must keep in Redis.</summary>
    internal bool HasAssertions => !_asserted.IsEmpty;

    /// <summary>
    /// Writes again what this client subscribed and linked, where Redis lost it. A topic is looked at when its
    /// epoch is gone or changed (one <c>GET</c> per topic, all in flight at once), or, with
    /// <paramref name="everyTopic"/>, in any case: after a restart or failover the epoch may have survived while
    /// a later subscription was lost. Adding is idempotent, so what is there stays as it is.
    /// </summary>
    /// <returns>The topics where something was missing, with what was written again.</returns>
    internal async Task<IReadOnlyList<RestoredTopic>> RestoreAsync(bool everyTopic)
    {
        var remembered = _asserted.Epochs();
        if (remembered.Count == 0)
        {
            return [];
        }

        var reads = remembered.Select(t => _database.StringGetAsync(Keys(t.Topic).Epoch)).ToArray();
        await Task.WhenAll(reads).ConfigureAwait(false);
        var suspects = new List<(string Topic, bool EpochLost)>();
        for (var i = 0; i < remembered.Count; i++)
        {
            var epochLost = reads[i].Result != remembered[i].Epoch;
            if (epochLost || everyTopic)
            {
                suspects.Add((remembered[i].Topic, epochLost));
            }
        }

        if (suspects.Count == 0)
        {
            return [];
        }

        var restored = new List<RestoredTopic>();
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

                var written = await WriteAsync(Keys(topic), add: true, queues, links).ConfigureAwait(false);
                _asserted.SetEpoch(topic, written.Epoch);
                if (written.AddedQueues.Length > 0 || written.AddedLinks.Length > 0)
                {
                    restored.Add(new RestoredTopic(topic, written.AddedQueues, written.AddedLinks, epochLost));
                }
            }

            if (restored.Count > 0)
            {
                await ChangeVersionAsync().ConfigureAwait(false);
            }
            else
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

        return restored;
    }
}

/// <summary>Registry entries of one topic that Redis had lost and this client wrote again.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Queues">Its subscribers that were missing.</param>
/// <param name="Links">The topics it links to whose links were missing.</param>
/// <param name="EpochLost">Whether the topic's keys were gone (rather than one member lost in a restart or failover).</param>
internal sealed record RestoredTopic(string Topic, IReadOnlyList<string> Queues, IReadOnlyList<string> Links, bool EpochLost);
