using System.Collections.Concurrent;
using System.Diagnostics;
using RedisStreams.Testing;
using RedisStreams.Transport.Tests.Behaviour;
using RedisStreams.Transport.Tests.Resilience;

namespace RedisStreams.Transport.Tests.Observability;

/// <summary>
/// The engine's spans (issue 11): send, receive and settle, one trace from the sender to the settlement, with the
/// sender's W3C context carried in the entry's <c>$traceparent</c> field. In the collection that runs alone: the
/// listener here is process-wide, and one test proves what happens when nobody listens.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class TracingTests : EngineTestBase
{
    // Matched by name: a listener that touched the source itself while being added could miss it.
    const string ApplicationSourceName = "RedisStreams.Tests.Application";
    static readonly ActivitySource Application = new(ApplicationSourceName);

    protected override Task<RedisEndpoint> GetRedisAsync() => RedisTestEnvironment.GetStandaloneAsync();

    [Fact]
    public async Task Send_receive_and_settle_spans_share_the_senders_trace()
    {
        using var spans = new SpanRecorder();
        var receiver = await StartReceiverAsync("traced");
        string sendId;
        ActivityTraceId traceId;
        using (var root = spans.StartRoot())
        {
            traceId = root.TraceId;
            sendId = await Client.SendAsync("traced", Message("a"));
        }

        var send = spans.Single("send traced");
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(traceId, send.TraceId);
        Assert.Equal("redis_streams", send.GetTagItem("messaging.system"));
        Assert.Equal("traced", send.GetTagItem("messaging.destination.name"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));
        Assert.Equal(sendId, send.GetTagItem("messaging.message.id"));

        // The context travels in the entry, readable with XRANGE.
        var entry = (await Db.StreamRangeAsync(StreamKey("traced"))).Single();
        Assert.Equal(send.Id, (string?)entry.Values.Single(v => v.Name == "$traceparent").Value);

        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(message);
        var receive = message.Activity;
        Assert.NotNull(receive);
        Assert.Equal("receive traced", receive.DisplayName);
        Assert.Equal(ActivityKind.Consumer, receive.Kind);
        Assert.Equal(traceId, receive.TraceId);
        Assert.Equal(send.SpanId, receive.ParentSpanId);
        Assert.Equal(message.EntryId, receive.GetTagItem("messaging.message.id"));
        Assert.Equal("traced", receive.GetTagItem("messaging.consumer.group.name"));
        Assert.Null(Activity.Current);

        await receiver.AckAsync(message);
        var ack = spans.Single("ack traced");
        Assert.Equal(traceId, ack.TraceId);
        Assert.Equal(receive.SpanId, ack.ParentSpanId);
        Assert.Equal("settle", ack.GetTagItem("messaging.operation.type"));
        Assert.True(receive.IsStopped, "the receive span ends when the message is settled");
        Assert.Equal("ack", receive.GetTagItem("redisstreams.settlement"));
        Assert.Null(message.Activity);
    }

    [Fact]
    public async Task Each_delivery_has_its_own_receive_span_and_nack_and_dead_letter_settle_it()
    {
        using var spans = new SpanRecorder();
        var receiver = await StartReceiverAsync("retried");
        ActivityTraceId traceId;
        using (var root = spans.StartRoot())
        {
            traceId = root.TraceId;
            await Client.SendAsync("retried", Message("b"));
        }

        var first = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        var firstDelivery = first!.Activity!;
        await receiver.ReturnAsync(first);
        var second = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        var secondDelivery = second!.Activity!;
        await receiver.DeadLetterAsync(second, "the test gives up");

        Assert.NotEqual(firstDelivery.SpanId, secondDelivery.SpanId);
        Assert.Equal(2, secondDelivery.GetTagItem("redisstreams.delivery_count"));
        Assert.Equal(spans.Single("send retried").SpanId, secondDelivery.ParentSpanId);
        Assert.Equal(firstDelivery.SpanId, spans.Single("nack retried").ParentSpanId);
        Assert.Equal(secondDelivery.SpanId, spans.Single("dead_letter retried").ParentSpanId);
        Assert.Equal("nack", firstDelivery.GetTagItem("redisstreams.settlement"));
        Assert.Equal("dead_letter", secondDelivery.GetTagItem("redisstreams.settlement"));
        Assert.All([firstDelivery, secondDelivery], s => Assert.Equal(traceId, s.TraceId));
    }

    [Fact]
    public async Task A_publish_has_one_send_span_per_subscribed_queue_under_the_publish_span()
    {
        using var spans = new SpanRecorder();
        await Client.Subscriptions.SubscribeAsync("order-placed", "billing");
        await Client.Subscriptions.SubscribeAsync("order-placed", "shipping");
        var billing = await StartReceiverAsync("billing");
        var shipping = await StartReceiverAsync("shipping");
        using (spans.StartRoot())
        {
            Assert.Equal(2, await Client.PublishAsync("order-placed", Message("c")));
        }

        var publish = spans.Single("publish order-placed");
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        foreach (var (queue, receiver) in new[] { ("billing", billing), ("shipping", shipping) })
        {
            var send = spans.Single("send " + queue);
            Assert.Equal(publish.SpanId, send.ParentSpanId);
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(send.SpanId, message!.Activity!.ParentSpanId);
            Assert.Equal(publish.TraceId, message.Activity.TraceId);
            await receiver.AckAsync(message);
        }
    }

    [Fact]
    public async Task A_delayed_message_carries_the_senders_trace_into_the_queue()
    {
        using var spans = new SpanRecorder();
        var receiver = await StartReceiverAsync("later");
        using (spans.StartRoot())
        {
            await Client.SendAsync("later", Message("d", delay: TimeSpan.FromMilliseconds(200)));
        }

        var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(spans.Single("send later").SpanId, message!.Activity!.ParentSpanId);
        await receiver.AckAsync(message);
    }

    [Fact]
    public async Task Without_a_listener_no_span_is_made_and_an_application_trace_still_crosses_the_queue()
    {
        // Only the application's own source is listened to, as in an app that traces but not the engine.
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ApplicationSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        Assert.False(RedisStreamsDiagnostics.ActivitySource.HasListeners());

        var receiver = await StartReceiverAsync("quiet");
        string rootId;
        using (var root = Application.StartActivity("place order"))
        {
            rootId = root!.Id!;
            await Client.SendAsync("quiet", Message("e"));
        }

        await Client.SendAsync("quiet", Message("f"));
        var entries = await Db.StreamRangeAsync(StreamKey("quiet"));
        Assert.Equal(rootId, (string?)entries[0].Values.Single(v => v.Name == "$traceparent").Value);
        Assert.DoesNotContain(entries[1].Values, v => v.Name == "$traceparent");

        foreach (var _ in entries)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            Assert.Null(message.Activity);
            await receiver.AckAsync(message);
        }
    }

    /// <summary>Listens to the engine's and the test's sources and keeps every span that ended.</summary>
    sealed class SpanRecorder : IDisposable
    {
        readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is RedisStreamsDiagnostics.ActivitySourceName or ApplicationSourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        ActivityTraceId _trace;

        public ConcurrentQueue<Activity> Stopped { get; } = new();

        /// <summary>Starts the application's activity whose trace this test follows (other tests' spans are left out).</summary>
        public Activity StartRoot()
        {
            var root = Application.StartActivity("place order") ?? throw new InvalidOperationException("The test's own source is not listened to.");
            _trace = root.TraceId;
            return root;
        }

        /// <summary>The one span of that name in this test's trace; waits a little, since settle spans of background acks end later.</summary>
        public Activity Single(string name)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline && !Stopped.Any(a => a.DisplayName == name && a.TraceId == _trace))
            {
                Thread.Sleep(20);
            }

            return Assert.Single(Stopped, a => a.DisplayName == name && a.TraceId == _trace);
        }

        public void Dispose() => _listener.Dispose();
    }
}
