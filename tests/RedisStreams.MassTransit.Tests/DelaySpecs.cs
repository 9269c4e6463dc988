using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace RedisStreams.MassTransit.Tests;

public record ScheduleRequest(Guid KeepId, Guid CancelId);

public class SchedulingConsumer : IConsumer<ScheduleRequest>
{
    public async Task Consume(ConsumeContext<ScheduleRequest> context)
    {
        var destination = new Uri("queue:ping");
        await context.ScheduleSend(destination, TimeSpan.FromSeconds(1), new PingMessage(context.Message.KeepId));
        var cancelled = await context.ScheduleSend(destination, TimeSpan.FromSeconds(1), new PingMessage(context.Message.CancelId));
        await context.CancelScheduledSend(cancelled);
    }
}

public class DelaySpecs
{
    [Fact]
    public async Task Delayed_send_and_publish_arrive_after_the_delay()
    {
        await using var bus = await BusFixture.StartAsync(x => x.AddConsumer<PingConsumer>());
        var sent = Guid.NewGuid();
        var published = Guid.NewGuid();
        var start = DateTime.UtcNow;
        await (await bus.Bus.GetSendEndpoint(new Uri("queue:ping"))).Send(new PingMessage(sent), ctx => ctx.Delay = TimeSpan.FromSeconds(2));
        await bus.Bus.Publish(new PingMessage(published), ctx => ctx.Delay = TimeSpan.FromSeconds(2));

        await Task.Delay(1000);
        Assert.Equal(0, Seen.Count(sent));
        Assert.Equal(0, Seen.Count(published));
        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(sent) == 1 && Seen.Count(published) == 1)));
        Assert.True(Seen.TimesOf(sent)[0] - start >= TimeSpan.FromSeconds(1.9));
        Assert.True(Seen.TimesOf(published)[0] - start >= TimeSpan.FromSeconds(1.9));
    }

    [Fact]
    public async Task ScheduleSend_from_outside_a_consumer_and_CancelScheduledSend_really_cancels()
    {
        await using var bus = await BusFixture.StartAsync(x =>
        {
            x.AddRedisStreamsMessageScheduler();
            x.AddConsumer<PingConsumer>();
        });
        using var scope = bus.Provider.CreateScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
        var keep = Guid.NewGuid();
        var cancel = Guid.NewGuid();
        var destination = new Uri("queue:ping");
        await scheduler.ScheduleSend(destination, DateTime.UtcNow.AddSeconds(1), new PingMessage(keep));
        var scheduled = await scheduler.ScheduleSend(destination, DateTime.UtcNow.AddSeconds(1), new PingMessage(cancel));
        await scheduler.CancelScheduledSend(scheduled.Destination, scheduled.TokenId);

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(keep) == 1)));
        await Task.Delay(1500);
        Assert.Equal(0, Seen.Count(cancel));
        Assert.Equal(0, (await bus.Inspector.GetQueueStatisticsAsync("ping")).Delayed);
    }

    [Fact]
    public async Task ScheduleSend_and_cancel_from_a_consumer_with_the_transport_scheduler()
    {
        await using var bus = await BusFixture.StartAsync(
            x =>
            {
                x.AddConsumer<PingConsumer>();
                x.AddConsumer<SchedulingConsumer>();
            },
            (_, cfg) => cfg.UseRedisStreamsMessageScheduler());
        var keep = Guid.NewGuid();
        var cancel = Guid.NewGuid();
        await bus.Bus.Publish(new ScheduleRequest(keep, cancel));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(keep) == 1)));
        await Task.Delay(1500);
        Assert.Equal(0, Seen.Count(cancel));
    }

    [Fact]
    public async Task UseDelayedMessageScheduler_schedules_through_native_delayed_delivery()
    {
        await using var bus = await BusFixture.StartAsync(
            x =>
            {
                x.AddConsumer<PingConsumer>();
                x.AddConsumer<SchedulingConsumer>();
            },
            (_, cfg) => cfg.UseDelayedMessageScheduler());
        var keep = Guid.NewGuid();
        await bus.Bus.Publish(new ScheduleRequest(keep, Guid.NewGuid()));

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(keep) == 1)));
    }

    [Fact]
    public async Task An_expired_message_is_never_consumed()
    {
        await using var bus = await BusFixture.StartAsync();
        var expired = Guid.NewGuid();
        var fresh = Guid.NewGuid();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:later"));
        await endpoint.Send(new PingMessage(expired), ctx => ctx.TimeToLive = TimeSpan.FromSeconds(1));
        await endpoint.Send(new PingMessage(fresh));
        await Task.Delay(2000);

        var handle = bus.Bus.ConnectReceiveEndpoint("later", e => e.Consumer<PingConsumer>());
        await handle.Ready;

        Assert.True(await BusFixture.EventuallyAsync(() => Task.FromResult(Seen.Count(fresh) == 1)));
        await Task.Delay(500);
        Assert.Equal(0, Seen.Count(expired));
    }
}
