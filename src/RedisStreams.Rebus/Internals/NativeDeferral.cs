using Rebus.Config;
using Rebus.Logging;
using Rebus.Timeouts;
using Rebus.Transport;

namespace RedisStreams.Rebus.Internals;

/// <summary>
/// Decides where deferred messages wait. By default Redis holds them (native deferral): Rebus sends them to
/// <see cref="RedisStreamsTransport.MagicDeferredMessagesAddress"/> and the transport schedules them. An external
/// timeout manager (<c>.Timeouts(t => t.UseExternalTimeoutManager(...))</c>) or a timeout store
/// (<c>.Timeouts(t => t.StoreInMemory())</c>, <c>t.Register(...)</c>, a database) the user configured wins, as on any
/// other transport, so nothing the user chose is silently bypassed and timeouts already in a store are delivered.
/// </summary>
internal static class NativeDeferral
{
    // Rebus registers this internal type when nobody configured timeouts; any other ITimeoutManager is the user's
    // choice. (UseExternalTimeoutManager sets the external address, so it never reaches the type check.)
    const string RebusDefaultTimeoutManager = "Rebus.Persistence.Throwing.DisabledTimeoutManager";

    public static void Register(StandardConfigurer<ITransport> configurer, bool isOneWayClient)
    {
        configurer.OtherService<Options>().Decorate(c =>
        {
            var rebusOptions = c.Get<Options>();
            if (string.IsNullOrWhiteSpace(rebusOptions.ExternalTimeoutManagerAddressOrNull))
            {
                rebusOptions.ExternalTimeoutManagerAddressOrNull = RedisStreamsTransport.MagicDeferredMessagesAddress;
            }

            return rebusOptions;
        });

        // Rebus resolves the timeout manager while it builds the receive pipeline, before any message is deferred and
        // before the step that polls a store starts, so the address can still be handed back to the store here.
        configurer.OtherService<ITimeoutManager>().Decorate(c =>
        {
            var store = c.Get<ITimeoutManager>();
            var rebusOptions = c.Get<Options>();
            if (rebusOptions.ExternalTimeoutManagerAddressOrNull != RedisStreamsTransport.MagicDeferredMessagesAddress ||
                store.GetType().FullName == RebusDefaultTimeoutManager)
            {
                return store;
            }

            var storeName = store.GetType().Name;
            if (isOneWayClient)
            {
                throw new InvalidOperationException(
                    $"This one-way client configures a timeout store with .Timeouts(...) ({storeName}), but a one-way client has no input queue " +
                    "for deferred messages to pass through, so Rebus could never put them into it. The Redis Streams transport defers natively " +
                    "instead: Redis holds each deferred message until it is due, with no store. Remove the .Timeouts(...) line from this client. " +
                    "Timeouts still in the store are delivered by any bus with an input queue that keeps the same .Timeouts(...) line until the store is empty.");
            }

            rebusOptions.ExternalTimeoutManagerAddressOrNull = null;
            c.Get<IRebusLoggerFactory>().GetLogger<RedisStreamsTransport>().Info(
                "Deferred messages go through the timeout store {timeoutStore} configured with .Timeouts(...), as on other transports. " +
                "Without that line Redis would hold them until due (native deferral); remove it once the store is empty to switch",
                storeName);
            return store;
        });
    }
}
