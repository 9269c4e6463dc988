namespace RedisStreams.Rebus.Sample;

/// <summary>Published by the shop when an order is placed.</summary>
public sealed record OrderPlaced(string RunId, int OrderNumber);

/// <summary>Deferred by the billing service to itself: ask for payment a little later.</summary>
public sealed record PaymentReminder(string RunId, int OrderNumber);
