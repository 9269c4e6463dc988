namespace RedisStreams.Transport;

/// <summary>Puts a failed write in the context of the publish it was part of, keeping its type.</summary>
internal static class WriteFailures
{
    public static RedisStreamsWriteException Publishing(string topic, RedisStreamsWriteException failure)
    {
        var message = $"Publishing to topic '{topic}' failed; copies may have reached some subscribed queues. {failure.Message}";
        var destination = $"topic '{topic}'" + (failure.Destination is { } queue ? $" ({queue})" : string.Empty);
        return failure switch
        {
            RedisStreamsOutOfMemoryException => new RedisStreamsOutOfMemoryException(message, failure) { Destination = destination, Endpoint = failure.Endpoint },
            RedisStreamsReplicationException r => new RedisStreamsReplicationException(message, failure)
            {
                Destination = destination,
                Endpoint = failure.Endpoint,
                ConfirmedReplicas = r.ConfirmedReplicas,
                RequiredReplicas = r.RequiredReplicas,
            },
            RedisStreamsUnavailableException => new RedisStreamsUnavailableException(message, failure) { Destination = destination, Endpoint = failure.Endpoint },
            _ => new RedisStreamsWriteException(message, failure) { Destination = destination, Endpoint = failure.Endpoint },
        };
    }
}
