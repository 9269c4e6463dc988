using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>One messaging stack the chaos run drives: a producer in the runner, consumers in worker processes.</summary>
internal interface IChaosFramework
{
    string Name { get; }

    /// <summary>The stream the workers consume, for malformed entries written with redis-cli and final checks.</summary>
    string StreamKey(string prefix);

    /// <summary>Connects a producer; its <see cref="IChaosProducer.SendAsync"/> retries what it is unsure of (duplicates possible, losses not).</summary>
    Task<IChaosProducer> CreateProducerAsync(string connection, string prefix, StackOptions options);

    /// <summary>
    /// Runs one worker until <paramref name="stop"/>: records each handled id in the ledger before acknowledging it.
    /// With <see cref="StackOptions.Publish"/> its queue subscribes to the chaos topic first.
    /// </summary>
    Task RunWorkerAsync(string connection, string prefix, StackOptions options, Ledger ledger, CancellationToken stop);

    /// <summary>Checks where the poison ended up and that nothing else did; returns problems (empty when all is well).</summary>
    Task<IReadOnlyList<string>> VerifyFailuresAsync(IDatabase db, string prefix, int malformedEntries);
}

/// <summary>Sends messages with the framework's own API.</summary>
internal interface IChaosProducer : IAsyncDisposable
{
    /// <summary>Sends every id, retrying failures until each is acknowledged (process chaos).</summary>
    Task SendAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Sends (or, with <paramref name="publish"/>, publishes) one message once, with no retry of its own: it
    /// returns when the stack acknowledged it and throws what the stack tells its caller otherwise. The engine
    /// returns how many queues a publish reached; the adapters <c>null</c> (their APIs do not say).
    /// </summary>
    Task<int?> SendOnceAsync(string id, bool publish, CancellationToken cancellationToken);
}
