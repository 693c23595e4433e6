using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Checkpoints;

namespace Rlhf.Jobs.Tests.Runs;

/// <summary>The host every run kind trains under: reports reach the job store in order, progress follows the last step.</summary>
public class TrainingJobHostTests
{
    /// <summary>A trainer of <c>steps</c> steps on a thread of its own, writing a line per step to a file; "mismatch" refuses its checkpoint.</summary>
    private sealed class FakeTrainingHandler : IJobHandler
    {
        public const string JobKind = "fake-training";
        public string Kind => JobKind;
        public bool CanResume => true;
        public sealed record Payload(int Steps, string File, bool Mismatch, bool UntilCancelled = false);

        public async Task RunAsync(JobContext context, CancellationToken ct)
        {
            var payload = context.Payload<Payload>();
            var host = new TrainingJobHost(context);
            var trained = await host.RunAsync(() =>
            {
                if (payload.Mismatch) throw new CheckpointMismatchException("/ck", "the checkpoint in /ck was made with other settings (kl_coef 0.05 in the checkpoint, 0.1 now)");
                for (var step = 1; step <= payload.Steps || payload.UntilCancelled; step++)
                {
                    ct.ThrowIfCancellationRequested();
                    var line = $"step {step}";
                    host.Write(write => File.AppendAllLinesAsync(payload.File, [line], write));
                    host.Metrics(step, new Dictionary<string, double> { ["train/loss"] = 1.0 / step }, (double)step / payload.Steps, $"step {step}/{payload.Steps}");
                    Thread.Sleep(5);
                }
                return payload.Steps;
            }, ct);
            var reported = await context.Services.GetRequiredService<JobQueue>().GetAsync(context.Job.Id, ct);
            await context.LogAsync($"trained {trained} steps; {reported!.Progress:F2}: {reported.Message}", ct: ct);
        }
    }

    [Fact]
    public async Task A_trainers_metrics_writes_and_progress_reach_the_job_store_in_order()
    {
        await using var h = await JobsHarness.CreateAsync(s => s.AddScoped<IJobHandler, FakeTrainingHandler>());
        var file = Path.Combine(h.Folder, "samples.txt");
        var job = await h.Queue.EnqueueAsync(FakeTrainingHandler.JobKind, new FakeTrainingHandler.Payload(20, file, false), null);

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var done = (await h.Queue.GetAsync(job.Id))!;
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        var metrics = await h.Queue.ReadMetricsAsync(job.Id);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), metrics.Select(m => m.Step));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"step {i}"), await File.ReadAllLinesAsync(file));
        var log = await h.Queue.ReadLogAsync(job.Id);
        Assert.Contains(log, l => l.Message == "trained 20 steps; 0.99: step 20/20");
        // The log follows the run: the progress message at every tenth (steps 2, 4, ..., 20 of 20), once each.
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"step {2 * i}/20"), log.Select(l => l.Message).Where(m => m.StartsWith("step ")));
    }

    [Fact]
    public async Task A_checkpoint_that_does_not_fit_fails_the_job_with_the_trainers_message()
    {
        await using var h = await JobsHarness.CreateAsync(s => s.AddScoped<IJobHandler, FakeTrainingHandler>());
        var job = await h.Queue.EnqueueAsync(FakeTrainingHandler.JobKind, new FakeTrainingHandler.Payload(1, Path.Combine(h.Folder, "x"), true), null);

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var failed = (await h.Queue.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal("the checkpoint in /ck was made with other settings (kl_coef 0.05 in the checkpoint, 0.1 now)", failed.Error);
    }

    [Fact]
    public async Task A_cancelled_training_keeps_what_it_reported_and_ends_cancelled()
    {
        await using var h = await JobsHarness.CreateAsync(s => s.AddScoped<IJobHandler, FakeTrainingHandler>(), leaseSeconds: 3);
        var job = await h.Queue.EnqueueAsync(FakeTrainingHandler.JobKind, new FakeTrainingHandler.Payload(1, Path.Combine(h.Folder, "x"), false, UntilCancelled: true), null);

        var running = h.Runner.RunNextAsync(CancellationToken.None);
        while ((await h.Queue.ReadMetricsAsync(job.Id)).Count == 0) await Task.Delay(50);
        Assert.True(await h.Queue.RequestCancelAsync(job.Id));
        await running;

        var cancelled = (await h.Queue.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        var steps = (await h.Queue.ReadMetricsAsync(job.Id)).Select(m => m.Step).ToList();
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => (long)i), steps);   // every step reported before the cancel was written
        Assert.Equal(steps.Count, (await File.ReadAllLinesAsync(Path.Combine(h.Folder, "x"))).Length);
    }
}
