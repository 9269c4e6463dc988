using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RedisStreams.Testing;

/// <summary>
/// Keeps every formatted log line, with its event id and exception, so tests can look for a warning or for
/// secrets in them. Usable as a logger factory (the engine, Rebus) and as a provider (a DI container's logging).
/// </summary>
public sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider
{
    readonly ConcurrentQueue<CapturedLog> _entries = new();

    /// <summary>Every line as <c>level category[event id] message exception</c>.</summary>
    public IEnumerable<string> Lines => _entries.Select(e => e.ToString());

    /// <summary>Every line logged so far.</summary>
    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>The lines logged with one event id.</summary>
    public IReadOnlyList<CapturedLog> WithEventId(int eventId) => [.. _entries.Where(e => e.EventId == eventId)];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new CapturedLog(logLevel, category, eventId.Id, formatter(state, exception), exception));
    }
}

/// <summary>One captured log line.</summary>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger's category.</param>
/// <param name="EventId">Its event id.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception logged with it, if any.</param>
public sealed record CapturedLog(LogLevel Level, string Category, int EventId, string Message, Exception? Exception)
{
    /// <inheritdoc />
    public override string ToString() => $"{Level} {Category}[{EventId}] {Message} {Exception}";
}
