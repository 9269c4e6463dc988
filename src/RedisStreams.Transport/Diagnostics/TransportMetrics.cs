using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RedisStreams.Transport.Diagnostics;

/// <summary>
/// The engine's instruments. One static <see cref="Meter"/> named <see cref="RedisStreamsDiagnostics.MeterName"/>;
/// every measurement carries the queue name as the <c>queue</c> tag, except those about a topic (<c>topic</c>).
/// </summary>
internal static class TransportMetrics
{
    static readonly Meter Meter = new(RedisStreamsDiagnostics.MeterName, typeof(TransportMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Sent = Meter.CreateCounter<long>("redisstreams.messages.sent", "{message}", "Messages written to a queue's stream.");
    public static readonly Counter<long> Scheduled = Meter.CreateCounter<long>("redisstreams.messages.scheduled", "{message}", "Messages stored for delayed delivery.");
    public static readonly Counter<long> Received = Meter.CreateCounter<long>("redisstreams.messages.received", "{message}", "Messages handed to a consumer.");
    public static readonly Counter<long> Acked = Meter.CreateCounter<long>("redisstreams.messages.acked", "{message}", "Messages acknowledged.");
    public static readonly Counter<long> Returned = Meter.CreateCounter<long>("redisstreams.messages.returned", "{message}", "Messages given back to their queue for immediate redelivery.");
    public static readonly Counter<long> Reclaimed = Meter.CreateCounter<long>("redisstreams.messages.reclaimed", "{message}", "Messages taken over from consumers that stopped renewing them.");
    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("redisstreams.messages.dead_lettered", "{message}", "Messages moved to a dead-letter stream.");
    public static readonly Counter<long> Expired = Meter.CreateCounter<long>("redisstreams.messages.expired", "{message}", "Messages discarded because their time to live ran out.");
    public static readonly Counter<long> DelayedMoved = Meter.CreateCounter<long>("redisstreams.messages.delayed_moved", "{message}", "Delayed messages moved into their queue when due.");
    public static readonly Counter<long> LostOwnership = Meter.CreateCounter<long>("redisstreams.messages.lost_ownership", "{message}", "Held messages another consumer took over before renewal.");
    public static readonly Counter<long> Unrouted = Meter.CreateCounter<long>("redisstreams.messages.unrouted", "{message}", "Messages published to a topic no queue subscribes to: they reached nobody. Tagged with the topic, not a queue.");
    public static readonly Histogram<double> FetchDuration = Meter.CreateHistogram<double>("redisstreams.fetch.duration", "ms", "Round trip of one fetch from a queue.");
    public static readonly Histogram<double> DelayedLateness = Meter.CreateHistogram<double>("redisstreams.delayed.lateness", "ms", "How long after its due time a delayed message entered its queue.");

    // Queue gauges: sampled in the background (QueueGauges) while something listens to them; a callback only
    // reports the latest sample, so a collection never waits for Redis.
    public static readonly ObservableGauge<long> QueueDepth = Meter.CreateObservableGauge("redisstreams.queue.depth", () => QueueGauges.Observe(s => s.Depth), "{message}", "Messages waiting or being processed (lag plus pending).");
    public static readonly ObservableGauge<long> QueueLag = Meter.CreateObservableGauge("redisstreams.queue.lag", () => QueueGauges.Observe(s => s.Lag), "{message}", "Messages not yet delivered to the consumer group.");
    public static readonly ObservableGauge<long> QueuePending = Meter.CreateObservableGauge("redisstreams.queue.pending", () => QueueGauges.Observe(s => s.Pending), "{message}", "Messages delivered to a consumer and not yet settled.");
    public static readonly ObservableGauge<double> QueueOldestPendingAge = Meter.CreateObservableGauge("redisstreams.queue.oldest_pending.age", () => QueueGauges.ObserveSeconds(s => s.OldestPendingAge), "s", "How long the oldest unsettled message has been in the queue, on Redis's clock; 0 when none is pending.");
    public static readonly ObservableGauge<long> QueueDeadLettered = Meter.CreateObservableGauge("redisstreams.queue.dead_letter.depth", () => QueueGauges.Observe(s => s.DeadLettered), "{message}", "Messages in the queue's dead-letter stream.");
    public static readonly ObservableGauge<long> QueueDelayed = Meter.CreateObservableGauge("redisstreams.queue.delayed", () => QueueGauges.Observe(s => s.Delayed), "{message}", "Messages scheduled for later delivery.");
    public static readonly ObservableGauge<long> QueueConsumers = Meter.CreateObservableGauge("redisstreams.queue.consumers", () => QueueGauges.Observe(s => s.Consumers), "{consumer}", "Consumers in the queue's consumer group.");

    /// <summary>Whether anything listens to a queue gauge: only then are queues sampled.</summary>
    public static bool QueueGaugesEnabled =>
        QueueDepth.Enabled || QueueLag.Enabled || QueuePending.Enabled || QueueOldestPendingAge.Enabled ||
        QueueDeadLettered.Enabled || QueueDelayed.Enabled || QueueConsumers.Enabled;

    public static TagList Queue(string queue) => new() { { "queue", queue } };

    public static TagList Topic(string topic) => new() { { "topic", topic } };
}
