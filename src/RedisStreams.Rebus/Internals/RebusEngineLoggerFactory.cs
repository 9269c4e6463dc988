using Microsoft.Extensions.Logging;
using Rebus.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace RedisStreams.Rebus.Internals;

/// <summary>
/// Lets the engine log through Rebus's logging, so its warnings (Redis unreachable, messages reclaimed or
/// dead-lettered) reach the application without further configuration. Rebus filters by its own levels.
/// </summary>
internal sealed class RebusEngineLoggerFactory : ILoggerFactory
{
    readonly IRebusLoggerFactory _rebus;

    public RebusEngineLoggerFactory(IRebusLoggerFactory rebus)
    {
        _rebus = rebus;
    }

    public ILogger CreateLogger(string categoryName) => new RebusEngineLogger(_rebus.GetLogger<RedisStreamsTransport>());

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("The engine logs through Rebus's logging; configure Rebus's logging instead, or use LogEngineTo(ILoggerFactory).");

    public void Dispose()
    {
    }

    sealed class RebusEngineLogger : ILogger
    {
        readonly ILog _log;

        public RebusEngineLogger(ILog log)
        {
            _log = log;
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);

            // Passed as an argument, never as the template, so braces in the text are not read as placeholders.
            var text = $"[{eventId.Id}] {formatter(state, exception)}";
            switch (logLevel)
            {
                case LogLevel.Trace:
                case LogLevel.Debug:
                    _log.Debug("{message}", text);
                    break;
                case LogLevel.Information:
                    _log.Info("{message}", text);
                    break;
                case LogLevel.Warning when exception is null:
                    _log.Warn("{message}", text);
                    break;
                case LogLevel.Warning:
                    _log.Warn(exception, "{message}", text);
                    break;
                case LogLevel.Error or LogLevel.Critical when exception is null:
                    _log.Error("{message}", text);
                    break;
                case LogLevel.Error or LogLevel.Critical:
                    _log.Error(exception, "{message}", text);
                    break;
            }
        }
    }
}
