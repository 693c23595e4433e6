using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>
/// The plan a run form shows before Start: the data split as the run will split it, its steps, and a time estimate
/// from the pace of the latest finished run of its kind.
/// </summary>
public class RunPlanTests
{
    [Fact]
    public async Task A_reward_plan_splits_the_pairs_as_the_trainer_does_and_times_them_at_the_last_runs_pace()
    {
        await using var h = await JobsHarness.CreateAsync();
        // 40 pairs over 10 prompts (4 each): a 0.2 share holds out 2 whole prompts, 8 pairs; 32 train in 4 batches of 8.
        var file = Path.Combine(h.Folder, "prefs.jsonl");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 40).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Question {i % 10}?", chosen = $"Yes {i}.", rejected = $"No {i}." })));
        var request = new RewardRunRequest
        {
            Name = "planned-rm", BaseModelId = 1, DataFile = file,
            Config = new RewardTrainingConfig { Epochs = 2, BatchPairs = 8, ValidationFraction = 0.2 },
        };
        await using var scope = h.Services.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<RewardRunService>();

        var plan = (await runs.PlanAsync(request, null))!;
        Assert.Equal(("pairs", 32, 8, 8L), (plan.DataUnit, plan.Train, plan.HeldOut, plan.Steps));
        Assert.Null(plan.EstimatedTime);
        Assert.Equal("no finished run of this kind to estimate the time from", plan.EstimateBasis);
        Assert.Empty(plan.Warnings);

        // A finished reward run took 100 s for 50 steps: 2 s a step, 16 s for these 8.
        var started = new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc);
        await using (var db = await h.DbAsync())
        {
            var job = new Job { Kind = RewardRunJobHandler.JobKind, Status = JobStatus.Succeeded, CreatedAtUtc = started, StartedAtUtc = started, FinishedAtUtc = started.AddSeconds(100) };
            db.Jobs.Add(job);
            await db.SaveChangesAsync();
            db.JobMetrics.AddRange(new JobMetric { JobId = job.Id, Step = 50, Name = "train/loss", Value = 0.5, AtUtc = started },
                new JobMetric { JobId = job.Id, Step = 49, Name = "train/loss", Value = 0.6, AtUtc = started });
            await db.SaveChangesAsync();
        }
        plan = (await runs.PlanAsync(request, null))!;
        Assert.Equal(TimeSpan.FromSeconds(16), plan.EstimatedTime);
        Assert.Matches(@"^at the pace of run \d+, 2 s per step$", plan.EstimateBasis);

        // No validation share: every pair trains and the plan warns that accuracy goes unmeasured.
        plan = (await runs.PlanAsync(request with { Config = request.Config with { ValidationFraction = 0 } }, null))!;
        Assert.Equal((40, 0, 10L), (plan.Train, plan.HeldOut, plan.Steps));
        Assert.Equal(["No validation pairs: the run's accuracy cannot be measured."], plan.Warnings);

        // Settings with a problem have no plan.
        Assert.Null(await runs.PlanAsync(request with { Config = request.Config with { Epochs = 0 } }, null));
    }

    [Fact]
    public async Task A_ppo_plan_holds_out_the_prompts_the_job_holds_out_and_warns_when_none_are_left_to_train_on()
    {
        await using var h = await JobsHarness.CreateAsync();
        var projectId = await h.ProjectWithPromptsAsync(Enumerable.Range(0, 30).Select(i => $"Prompt {i}").ToArray());
        await using var scope = h.Services.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<PpoRunService>();
        var request = new PpoRunRequest { Name = "planned-ppo", ProjectId = projectId, HeldOutFraction = 0.2, Config = new PpoConfig { Steps = 12 } };
        long[] ids;
        await using (var db = await h.DbAsync()) ids = db.Prompts.Where(p => p.ProjectId == projectId).Select(p => p.Id).ToArray();
        var heldOut = ids.Count(id => PromptSplit.IsHeldOut(id, 0.2));

        var plan = (await runs.PlanAsync(request, null))!;
        Assert.Equal(("prompts", 30 - heldOut, heldOut, 12L, "updates"), (plan.DataUnit, plan.Train, plan.HeldOut, plan.Steps, plan.StepUnit));
        Assert.InRange(heldOut, 1, 29);   // both sides non-empty, so the warnings below come from the shares

        Assert.Equal(["No prompts are held out: the result cannot be rated on prompts it was not trained on."],
            (await runs.PlanAsync(request with { HeldOutFraction = 0 }, null))!.Warnings);
        Assert.Equal(["Project 999 does not exist.", "No prompts are left for training: the run would fail."],
            (await runs.PlanAsync(request with { ProjectId = 999 }, null))!.Warnings);
    }
}
