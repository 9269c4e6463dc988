using MassTransit;
using MassTransit.Logging;
using Microsoft.Extensions.Logging;

namespace RedisStreams.MassTransit.Transport;

/// <summary>
/// The engine's logger factory in a MassTransit bus: MassTransit's own <see cref="LogContext"/>, which the container
/// configures with the application's <see cref="ILoggerFactory"/> (and which <c>Bus.Factory</c> users configure
/// themselves). The engine's warnings (Redis lost, messages reclaimed or dead-lettered) then land beside
/// MassTransit's, under the engine's categories.
/// </summary>
internal sealed class LogContextLoggerFactory : ILoggerFactory
{
    readonly ILogContext _context;

    LogContextLoggerFactory(ILogContext context)
    {
        _context = context;
    }

    /// <summary>A factory over the current log context; <c>null</c> when MassTransit has none (the engine then logs nowhere, as MassTransit does).</summary>
    public static ILoggerFactory? Current() => LogContext.Current is { } context ? new LogContextLoggerFactory(context) : null;

    public ILogger CreateLogger(string categoryName) => _context.CreateLogContext(categoryName).Logger;

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("Add logging providers to the application's logging configuration; MassTransit's log context uses them.");

    public void Dispose()
    {
    }
}
