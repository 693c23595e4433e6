using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Data.Identity;
using Rlhf.Jobs.Runner;
using Rlhf.Testing.Databases;

namespace Rlhf.Jobs.Tests.Runner;

public class JobQueueTests
{
    private static readonly Dictionary<string, bool> Kinds = new() { [ProbeHandler.JobKind] = true, [OneShotHandler.JobKind] = false };

    private static Task<JobsHarness> HarnessAsync(int leaseSeconds = 30) => JobsHarness.CreateAsync(s =>
    {
        s.AddScoped<IJobHandler, ProbeHandler>();
        s.AddScoped<IJobHandler, OneShotHandler>();
    }, leaseSeconds);

    [Fact]
    public async Task A_job_runs_to_success_with_progress_metrics_and_log()
    {
        await using var h = await HarnessAsync();
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        Assert.False(await h.Runner.RunNextAsync(CancellationToken.None)); // nothing left

        var done = (await h.Queue.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(1.0, done.Progress);
        Assert.Equal(1, done.Attempts);
        Assert.NotNull(done.FinishedAtUtc);
        Assert.Null(done.LeaseOwner);
        await using var db = await h.DbAsync();
        var metric = Assert.Single(await db.JobMetrics.Where(m => m.JobId == job.Id).ToListAsync());
        Assert.Equal(("train/loss", 0.69, 1L), (metric.Name, metric.Value, metric.Step));
        Assert.Contains(await h.Queue.ReadLogAsync(job.Id), l => l.Message == "ran (resume: False)");
    }

    [Fact]
    public async Task The_jobs_list_names_each_job_and_who_started_it()
    {
        await using var h = await HarnessAsync();
        await using (var db = await h.DbAsync())
        {
            db.Users.Add(new ApplicationUser { Id = "researcher-1", UserName = "ada@example.test", Email = "ada@example.test" });
            await db.SaveChangesAsync();
        }
        var named = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new { name = "reward-ada", epochs = 1 }, "researcher-1");
        var unnamed = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);

        var listed = await h.Queue.ListWithOwnersAsync(null);

        Assert.Equal([(unnamed.Id, "", (string?)null), (named.Id, "reward-ada", "ada@example.test")],
            listed.Select(l => (l.Job.Id, l.Name, l.OwnerEmail)));

        // A project's page lists that project's jobs only, newest first.
        var project = await h.ProjectWithPromptsAsync(["p"]);
        var other = await h.ProjectWithPromptsAsync(["q"]);
        var first = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new { name = "gen-1" }, "researcher-1", project);
        await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new { name = "elsewhere" }, null, other);
        var second = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new { name = "gen-2" }, null, project);
        Assert.Equal([(second.Id, "gen-2", (string?)null), (first.Id, "gen-1", "ada@example.test")],
            (await h.Queue.ListForProjectAsync(project, null)).Select(l => (l.Job.Id, l.Name, l.OwnerEmail)));
    }

    [Fact]
    public async Task A_step_redone_after_a_resume_replaces_its_metrics_and_keeps_the_others()
    {
        await using var h = await HarnessAsync();
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);
        await h.Queue.AddMetricsAsync(job.Id, 5, new Dictionary<string, double> { ["objective/kl"] = 1.0, ["objective/scores"] = 0.1 });
        await h.Queue.AddMetricsAsync(job.Id, 6, new Dictionary<string, double> { ["objective/kl"] = 1.5 });
        await h.Queue.AddMetricsAsync(job.Id, 5, new Dictionary<string, double> { ["objective/kl"] = 2.0 });   // redone after a resume

        var metrics = await h.Queue.ReadMetricsAsync(job.Id);
        Assert.Equal([(5L, "objective/kl", 2.0), (5L, "objective/scores", 0.1), (6L, "objective/kl", 1.5)],
            metrics.Select(m => (m.Step, m.Name, m.Value)).OrderBy(m => m.Step).ThenBy(m => m.Name));
    }

    [Theory]
    [InlineData("fail", "the probe was told to fail")]
    [InlineData("crash", "InvalidOperationException: boom")]
    public async Task A_failing_job_ends_failed_with_its_reason(string mode, string reason)
    {
        await using var h = await HarnessAsync();
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload(mode), null);
        await h.Runner.RunNextAsync(CancellationToken.None);
        var failed = (await h.Queue.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(reason, failed.Error);
        Assert.Equal(0.5, failed.Progress);
    }

    [Fact]
    public async Task A_queued_job_is_cancelled_at_once_and_never_runs()
    {
        await using var h = await HarnessAsync();
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);
        Assert.True(await h.Queue.RequestCancelAsync(job.Id));
        Assert.False(await h.Runner.RunNextAsync(CancellationToken.None));
        Assert.Equal(JobStatus.Cancelled, (await h.Queue.GetAsync(job.Id))!.Status);
        Assert.False(await h.Queue.RequestCancelAsync(job.Id)); // already ended
    }

    [Fact]
    public async Task A_running_job_stops_when_cancelled()
    {
        await using var h = await HarnessAsync(leaseSeconds: 3); // heartbeat every second
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("wait"), null);
        var run = h.Runner.RunNextAsync(CancellationToken.None);
        while ((await h.Queue.GetAsync(job.Id))!.Progress < 0.5) await Task.Delay(50);
        Assert.True(await h.Queue.RequestCancelAsync(job.Id));
        await run.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(JobStatus.Cancelled, (await h.Queue.GetAsync(job.Id))!.Status);
    }

    [Fact]
    public async Task Only_one_runner_claims_a_job()
    {
        await using var h = await HarnessAsync();
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);
        var first = await h.Queue.ClaimAsync("runner-a", Kinds, TimeSpan.FromSeconds(30), 3);
        var second = await h.Queue.ClaimAsync("runner-b", Kinds, TimeSpan.FromSeconds(30), 3);
        Assert.Equal(job.Id, first!.Id);
        Assert.Equal("runner-a", first.LeaseOwner);
        Assert.Null(second);
    }

    [Fact]
    public async Task Concurrent_runners_each_take_a_different_job_and_every_job_is_taken_once()
    {
        await using var h = await HarnessAsync();
        var queued = new List<long>();
        for (var i = 0; i < 10; i++) queued.Add((await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null)).Id);

        async Task<List<long>> Runner(string owner)
        {
            var taken = new List<long>();
            while (await h.Queue.ClaimAsync(owner, Kinds, TimeSpan.FromSeconds(30), 3) is { } job)
            {
                Assert.Equal(owner, job.LeaseOwner);
                taken.Add(job.Id);
            }
            return taken;
        }
        var byRunner = await Task.WhenAll(Task.Run(() => Runner("a")), Task.Run(() => Runner("b")), Task.Run(() => Runner("c")));

        Assert.Equal(queued, byRunner.SelectMany(t => t).Order().ToList());
        await using var db = await h.DbAsync();
        Assert.All(await db.Jobs.AsNoTracking().ToListAsync(), j => Assert.Equal((JobStatus.Running, 1), (j.Status, j.Attempts)));
    }

    [PostgresFact]
    public async Task A_claim_on_postgres_skips_the_job_another_runner_holds_instead_of_waiting_for_it()
    {
        await using var h = await HarnessAsync();
        var first = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);
        var second = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);

        // Another runner is in the middle of claiming the first job: its row is locked until that transaction ends.
        await using var other = await h.DbAsync();
        await using var held = await other.Database.BeginTransactionAsync();
        await other.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Jobs" WHERE "Id" = {first.Id} FOR NO KEY UPDATE""");

        // Without SKIP LOCKED this claim would wait on that lock (and be cancelled); with it, it takes the next job.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var claimed = await h.Queue.ClaimAsync("runner-b", Kinds, TimeSpan.FromSeconds(30), 3, patience.Token);
        Assert.Equal(second.Id, claimed!.Id);
        await held.RollbackAsync();
        Assert.Equal(first.Id, (await h.Queue.ClaimAsync("runner-c", Kinds, TimeSpan.FromSeconds(30), 3))!.Id);
    }

    [Fact]
    public async Task A_job_whose_runner_died_is_resumed_when_it_can_be_and_failed_when_it_cannot()
    {
        await using var h = await HarnessAsync();
        var resumable = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);
        var oneShot = await h.Queue.EnqueueAsync(OneShotHandler.JobKind, new { }, null);
        // A runner claims both with a lease that has already run out, then "dies" (never heart-beats).
        Assert.Equal(resumable.Id, (await h.Queue.ClaimAsync("dead-runner", new Dictionary<string, bool> { [ProbeHandler.JobKind] = true }, TimeSpan.FromSeconds(-1), 2))!.Id);
        Assert.Equal(oneShot.Id, (await h.Queue.ClaimAsync("dead-runner", new Dictionary<string, bool> { [OneShotHandler.JobKind] = false }, TimeSpan.FromSeconds(-1), 2))!.Id);

        // The next runner takes the resumable one over and fails the other with the reason shown.
        while (await h.Runner.RunNextAsync(CancellationToken.None)) { }

        var resumed = (await h.Queue.GetAsync(resumable.Id))!;
        Assert.Equal(JobStatus.Succeeded, resumed.Status);
        Assert.Equal(2, resumed.Attempts);
        Assert.Contains(await h.Queue.ReadLogAsync(resumable.Id), l => l.Message == "ran (resume: True)");

        var failed = (await h.Queue.GetAsync(oneShot.Id))!;
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Contains("dead-runner stopped while this job ran", failed.Error);
        Assert.Contains("cannot resume", failed.Error);
    }

    [Fact]
    public async Task A_job_that_keeps_losing_its_runner_is_failed_after_max_attempts()
    {
        await using var h = await HarnessAsync();
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);
        Assert.NotNull(await h.Queue.ClaimAsync("r1", Kinds, TimeSpan.FromSeconds(-1), 2));
        Assert.NotNull(await h.Queue.ClaimAsync("r2", Kinds, TimeSpan.FromSeconds(-1), 2)); // attempt 2, dies again
        Assert.Null(await h.Queue.ClaimAsync("r3", Kinds, TimeSpan.FromSeconds(30), 2));
        var failed = (await h.Queue.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Contains("giving up after 2 attempts", failed.Error);
    }

    [Fact]
    public async Task A_runner_that_lost_its_lease_cannot_report_or_finish()
    {
        await using var h = await HarnessAsync();
        var job = await h.Queue.EnqueueAsync(ProbeHandler.JobKind, new ProbeHandler.Payload("ok"), null);
        await h.Queue.ClaimAsync("old", Kinds, TimeSpan.FromSeconds(-1), 3);
        await h.Queue.ClaimAsync("new", Kinds, TimeSpan.FromSeconds(30), 3);

        Assert.False((await h.Queue.HeartbeatAsync(job.Id, "old", TimeSpan.FromSeconds(30))).Owned);
        await h.Queue.FinishAsync(job.Id, "old", JobStatus.Failed, "stale");
        var current = (await h.Queue.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Running, current.Status);
        Assert.Equal("new", current.LeaseOwner);
    }
}
