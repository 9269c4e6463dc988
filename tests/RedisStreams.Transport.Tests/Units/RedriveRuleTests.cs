using RedisStreams.Transport.Redrive;

namespace RedisStreams.Transport.Tests.Units;

public sealed class RedriveRuleTests
{
    [Theory]
    [InlineData("redis://localhost:6379/rs/orders", "orders")]
    [InlineData("rediss://cache.example:6380/rs/submit%20order", "submit order")]
    [InlineData("queue:orders?durable=true", "orders")]
    public void MassTransit_messages_go_to_their_fault_input_address(string address, string queue)
    {
        var fields = new Dictionary<string, string> { [FaultHeaders.MassTransitInputAddress] = address };
        Assert.Equal(queue, FaultHeaders.SourceQueueOf(fields, "anything_error", "rs", out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("redis://localhost:6379/other/orders", "other")]
    [InlineData("rabbitmq://localhost/orders", "not a Redis Streams address")]
    [InlineData("redis://localhost:6379/", "names no queue")]
    public void Addresses_this_prefix_cannot_reach_are_refused_with_a_reason(string address, string reason)
    {
        var fields = new Dictionary<string, string> { [FaultHeaders.MassTransitInputAddress] = address };
        Assert.Null(FaultHeaders.SourceQueueOf(fields, "orders_error", "rs", out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Rebus_messages_go_to_their_source_queue_and_the_rest_by_the_error_queue_name()
    {
        Assert.Equal("billing", FaultHeaders.SourceQueueOf(new Dictionary<string, string> { [FaultHeaders.RebusSourceQueue] = "billing" }, "error", "rs", out _));
        Assert.Equal("orders", FaultHeaders.SourceQueueOf(new Dictionary<string, string>(), "orders_error", "rs", out _));
        Assert.Equal("orders", FaultHeaders.SourceQueueOf(new Dictionary<string, string>(), "orders_skipped", "rs", out _));
        Assert.Null(FaultHeaders.SourceQueueOf(new Dictionary<string, string>(), "error", "rs", out var problem));
        Assert.Contains("name the destination", problem, StringComparison.Ordinal);
        Assert.Null(FaultHeaders.Check("error", "error", out var loop));
        Assert.Contains("itself", loop, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MT-Fault-Message", true)]
    [InlineData("MT-Reason", true)]
    [InlineData("rbs2-error-details", true)]
    [InlineData("rbs2-source-queue", true)]
    [InlineData("MT-MessageType", false)]
    [InlineData("rbs2-msg-id", false)]
    [InlineData("$body", false)]
    public void Only_fault_headers_are_stripped(string field, bool fault) => Assert.Equal(fault, FaultHeaders.IsFrameworkFaultField(field));
}
