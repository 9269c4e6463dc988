namespace RedisStreams.Chaos;

/// <summary>The message every framework's producer sends and its workers record.</summary>
/// <param name="Id">Unique per message, or one of the poison ids.</param>
public sealed record ChaosMessage(string Id);
