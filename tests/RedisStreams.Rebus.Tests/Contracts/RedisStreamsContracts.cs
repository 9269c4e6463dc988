using RedisStreams.Rebus.Tests.Factories;

namespace RedisStreams.Rebus.Tests.Contracts;

// The contract fixtures wired to the Redis Streams factories, one line each, as Rebus transport repositories do.
public sealed class RedisStreamsBasicSendReceive : BasicSendReceive<RedisStreamsTransportFactory>;

public sealed class RedisStreamsMessageExpiration : MessageExpiration<RedisStreamsTransportFactory>;

public sealed class RedisStreamsNativeDeliveryCount : NativeDeliveryCount<RedisStreamsTransportFactory>;

public sealed class RedisStreamsManyMessages : TestManyMessages<RedisStreamsBusFactory>;

public sealed class RedisStreamsTransportInspector : TransportInspectorTest<RedisStreamsTransportInspectorFactory>;

public sealed class RedisStreamsSubscriptionOperations : BasicSubscriptionOperations<RedisStreamsSubscriptionStorageFactory>;
