using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using RedisStreams.Testing;
using RedisStreams.Transport.Tests.Resilience;

namespace RedisStreams.Transport.Tests.Performance;

/// <summary>
/// Moving framework-sized messages must not allocate on the large-object heap: such arrays are freed only by
/// full (gen2) collections, and send calls had allocated one or two per call.
/// </summary>
// The listener hears the whole process: alone, so no other test's batches count.
[Collection(RunsAloneCollection.Name)]
public sealed class LargeObjectHeapTests
{
    [Fact]
    public async Task Moving_many_messages_with_many_headers_puts_no_array_of_the_wire_on_the_large_object_heap()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions { KeyPrefix = TestNames.UniquePrefix() });
        var headers = Enumerable.Range(0, 16).ToDictionary(i => $"header-{i}", i => $"value of header {i}");
        var messages = Enumerable.Range(0, 2_000).Select(_ => ("orders", new OutgoingMessage(headers, new byte[1024]))).ToList();
        await using var receiver = client.CreateReceiver("orders", prefetchCount: 1_000);
        await receiver.StartAsync();

        // The first round lets StackExchange.Redis grow the arena it parses replies into (blocks of its RawResult,
        // kept by the connection and used again, so not counted here).
        await MoveAsync(client, receiver, messages);
        using var listener = new LargeAllocationListener();
        await MoveAsync(client, receiver, messages);

        var large = listener.TypeNames.Where(name => name.Contains("RedisValue", StringComparison.Ordinal)).ToList();
        Assert.True(large.Count == 0, $"{large.Count} large-object-heap allocations: {string.Join(", ", large.Distinct())}");
    }

    static async Task MoveAsync(RedisStreamsClient client, QueueReceiver receiver, List<(string, OutgoingMessage)> messages)
    {
        await client.SendManyAsync(messages);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"message {i} did not arrive");
            receiver.AckInBackground(message);
        }
    }

    /// <summary>The runtime's allocation ticks for the large-object heap (one about every 100 KB allocated there).</summary>
    sealed class LargeAllocationListener : EventListener
    {
        const EventKeywords GcKeyword = (EventKeywords)0x1;

        public ConcurrentQueue<string> TypeNames { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true &&
                eventData.PayloadNames is { } names &&
                Convert.ToInt32(eventData.Payload![names.IndexOf("AllocationKind")], System.Globalization.CultureInfo.InvariantCulture) == 1)
            {
                var size = names.IndexOf("ObjectSize") is var at and >= 0 ? $" ({eventData.Payload[at]} bytes)" : string.Empty;
                TypeNames.Enqueue((eventData.Payload[names.IndexOf("TypeName")]?.ToString() ?? "?") + size);
            }
        }
    }
}
