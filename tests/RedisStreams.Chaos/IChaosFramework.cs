using StackExchange.Redis;

namespace RedisStreams.Chaos;

/// <summary>One messaging stack the chaos run drives: a producer in the runner, consumers in worker processes.</summary>
internal interface IChaosFramework
{
    string Name { get; }

    /// <summary>The stream the workers consume, for malformed entries written with redis-cli and final checks.</summary>
    string StreamKey(string prefix);

    /// <summary>Connects a producer; its <see cref="IChaosProducer.SendAsync"/> retries what it is unsure of (duplicates possible, losses not).</summary>
    Task<IChaosProducer> CreateProducerAsync(string connection, string prefix);

    /// <summary>Runs one worker until <paramref name="stop"/>: records each handled id in the ledger before acknowledging it.</summary>
    Task RunWorkerAsync(string connection, string prefix, Ledger ledger, CancellationToken stop);

    /// <summary>Checks where the poison ended up and that nothing else did; returns problems (empty when all is well).</summary>
    Task<IReadOnlyList<string>> VerifyFailuresAsync(IDatabase db, string prefix, int malformedEntries);
}

/// <summary>Sends messages with the framework's own API.</summary>
internal interface IChaosProducer : IAsyncDisposable
{
    Task SendAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);
}
