using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Tests.Runner;

/// <summary>
/// Many workers on one database (the PostgreSQL pass runs this against a shared cluster, as `rlhf worker` processes on
/// other machines would): three runners, each with its own services and connection pool, claim ten jobs at once; every
/// job runs exactly once, on one runner, and ends succeeded at its first attempt.
/// </summary>
public class ManyWorkersTests
{
    /// <summary>Which runner ran which job; shared by the three workers of one test.</summary>
    private sealed class RunRecord
    {
        public ConcurrentBag<(long JobId, string Owner)> Runs { get; } = [];
    }

    private sealed class RecordingHandler(RunRecord record) : IJobHandler
    {
        public const string JobKind = "recorded";
        public string Kind => JobKind;
        public bool CanResume => false;

        public async Task RunAsync(JobContext context, CancellationToken ct)
        {
            record.Runs.Add((context.Job.Id, context.Job.LeaseOwner!));   // the claim that gave this runner the job
            await Task.Delay(100, ct);   // long enough for the others to claim meanwhile
        }
    }

    [Fact]
    public async Task Three_workers_on_one_database_run_ten_jobs_each_exactly_once()
    {
        var record = new RunRecord();
        void Register(IServiceCollection s) => s.AddSingleton(record).AddScoped<IJobHandler, RecordingHandler>();
        await using var first = await JobsHarness.CreateAsync(Register);
        await using var second = first.AnotherWorker(Register);
        await using var third = first.AnotherWorker(Register);
        var jobs = new List<long>();
        for (var i = 0; i < 10; i++) jobs.Add((await first.Queue.EnqueueAsync(RecordingHandler.JobKind, new { name = $"job {i}" }, null)).Id);

        // Each worker claims until the queue is empty, all three at once.
        static async Task DrainAsync(JobRunner runner)
        {
            while (await runner.RunNextAsync(CancellationToken.None)) { }
        }
        await Task.WhenAll(Task.Run(() => DrainAsync(first.Runner)), Task.Run(() => DrainAsync(second.Runner)), Task.Run(() => DrainAsync(third.Runner)));

        Assert.Equal(jobs.Order(), record.Runs.Select(r => r.JobId).Order());   // each job once, none twice
        await using var db = await first.DbAsync();
        var stored = await db.Jobs.AsNoTracking().Where(j => jobs.Contains(j.Id)).ToListAsync();
        Assert.All(stored, j => Assert.Equal((JobStatus.Succeeded, 1), (j.Status, j.Attempts)));
        // The work was shared: the claims went to more than one runner.
        var owners = record.Runs.ToDictionary(r => r.JobId, r => r.Owner);
        Assert.Subset(new[] { first.Runner.Owner, second.Runner.Owner, third.Runner.Owner }.ToHashSet(), owners.Values.ToHashSet());
        Assert.True(owners.Values.Distinct().Count() >= 2, $"one worker ran everything: {string.Join(", ", owners.Values.Distinct())}");
    }

    [Fact]
    public async Task Thirty_claims_at_once_from_three_workers_take_each_of_ten_jobs_once()
    {
        await using var first = await JobsHarness.CreateAsync(s => s.AddScoped<IJobHandler, ProbeHandler>());
        await using var second = first.AnotherWorker(s => s.AddScoped<IJobHandler, ProbeHandler>());
        await using var third = first.AnotherWorker(s => s.AddScoped<IJobHandler, ProbeHandler>());
        for (var i = 0; i < 10; i++) await first.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);

        // Every claim reads the same ten queued jobs before any of them is taken: only the claim's own condition keeps
        // two runners off one job.
        var kinds = new Dictionary<string, bool> { [ProbeHandler.JobKind] = true };
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = Enumerable.Range(0, 30).Select(async i =>
        {
            var worker = (i % 3) switch { 0 => first, 1 => second, _ => third };
            await start.Task;
            return await worker.Queue.ClaimAsync($"runner-{i}", kinds, TimeSpan.FromMinutes(1), 2);
        }).ToList();
        start.SetResult();
        var taken = (await Task.WhenAll(claims)).OfType<Job>().ToList();

        Assert.Equal(10, taken.Count);
        Assert.Equal(10, taken.Select(j => j.Id).Distinct().Count());
        await using var db = await first.DbAsync();
        Assert.All(await db.Jobs.AsNoTracking().ToListAsync(), j => Assert.Equal((JobStatus.Running, 1), (j.Status, j.Attempts)));
    }
}
