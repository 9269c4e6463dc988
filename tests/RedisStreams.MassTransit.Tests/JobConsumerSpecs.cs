using MassTransit;
using MassTransit.Contracts.JobService;

namespace RedisStreams.MassTransit.Tests;

public record CrunchNumbers(Guid Id, int Milliseconds);

public class CrunchNumbersConsumer : IJobConsumer<CrunchNumbers>
{
    public async Task Run(JobContext<CrunchNumbers> context)
    {
        await Task.Delay(context.Job.Milliseconds, context.CancellationToken);
        Seen.Add(context.Job.Id);
    }
}

public class JobConsumerSpecs
{
    [Fact]
    public async Task A_submitted_job_runs_and_completes()
    {
        await using var bus = await BusFixture.StartAsync(
            x =>
            {
                x.AddConsumer<CrunchNumbersConsumer>(c => c.Options<JobOptions<CrunchNumbers>>(o => o.SetJobTimeout(TimeSpan.FromSeconds(30)).SetConcurrentJobLimit(2)));
                x.AddJobSagaStateMachines();
            },
            (_, cfg) => cfg.UseDelayedMessageScheduler());
        var id = Guid.NewGuid();

        var jobId = await bus.Bus.SubmitJob(new CrunchNumbers(id, 200), CancellationToken.None);

        Assert.True(await bus.Harness.Published.Any<JobCompleted>(x => x.Context.Message.JobId == jobId));
        Assert.Equal(1, Seen.Count(id));
    }
}
