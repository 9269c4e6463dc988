using System.Collections.Concurrent;
using Rebus.Logging;

namespace RedisStreams.Rebus.Tests.Bus;

/// <summary>Keeps every line Rebus (and the engine, through Rebus's logging) writes, with its level.</summary>
public sealed class CapturingRebusLoggerFactory : AbstractRebusLoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

    protected override ILog GetLogger(Type type) => new Log(this);

    sealed class Log(CapturingRebusLoggerFactory owner) : ILog
    {
        public void Debug(string message, params object[] objs) => Add(LogLevel.Debug, message, objs);

        public void Info(string message, params object[] objs) => Add(LogLevel.Info, message, objs);

        public void Warn(string message, params object[] objs) => Add(LogLevel.Warn, message, objs);

        public void Warn(Exception exception, string message, params object[] objs) => Add(LogLevel.Warn, message, objs);

        public void Error(string message, params object[] objs) => Add(LogLevel.Error, message, objs);

        public void Error(Exception exception, string message, params object[] objs) => Add(LogLevel.Error, message, objs);

        void Add(LogLevel level, string message, object[] objs) => owner.Lines.Enqueue((level, owner.RenderString(message, objs)));
    }
}
