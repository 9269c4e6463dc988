namespace RedisStreams.Rebus.Tests.Bus;

public sealed record Ping(int Id);

public sealed record OrderPlaced(int Id);

public sealed record Reminder(string Text);

public sealed record Poison(int Id);
