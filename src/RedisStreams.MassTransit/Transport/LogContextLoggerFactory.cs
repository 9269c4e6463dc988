using MassTransit.Logging;
using Microsoft.Extensions.Logging;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// Lets the engine log where the bus logs: MassTransit keeps its logger factory behind its log context, so
/// the engine's warnings (lost subscriptions written again, reclaims, reconnects) reach the application's logging.
/// </summary>
internal sealed class LogContextLoggerFactory(ILogContext logContext) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logContext.CreateLogContext(categoryName).Logger;

    // The bus's logging is configured by the application, not through the transport.
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("Add logging providers to the application's logging, not to the Redis Streams transport.");

    public void Dispose()
    {
    }
}
