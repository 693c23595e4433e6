using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runs;
using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>Reward and PPO runs through the job runner: metrics with TRL's names, the model registered with its lineage.</summary>
public class RunJobTests
{
    [Fact]
    public async Task A_reward_run_on_a_TRL_file_registers_a_reward_model_with_its_accuracy_and_lineage()
    {
        await using var h = await JobsHarness.CreateAsync();
        var baseId = await h.ImportFixtureAsync("gpt2-tiny-lm", "base", ModelKind.Base);
        var data = Path.Combine(h.Folder, "prefs.jsonl");
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 48).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Q{i % 9}?", chosen = $"Thanks, answer {i}.", rejected = $"No {i}." })));
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<RewardRunService>().EnqueueAsync(new RewardRunRequest
        {
            Name = "rm", BaseModelId = baseId, DataFile = data,
            Config = new RewardTrainingConfig { Epochs = 1, BatchPairs = 8, MaxLength = 16, EvalEvery = 2, LearningRate = 1e-3 },
        }, null));
        Assert.True(jobId is not null, string.Join(" ", errors));

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        await using var db = await h.DbAsync();
        var model = await db.Models.SingleAsync(m => m.Name == "rm");
        Assert.Equal((ModelKind.Reward, (int?)baseId, (long?)jobId), (model.Kind, model.ParentId, model.ProducedByJobId));
        Assert.InRange(model.ValidationAccuracy!.Value, 0, 1);
        var names = await db.JobMetrics.Where(m => m.JobId == jobId).Select(m => m.Name).Distinct().ToListAsync();
        Assert.Contains("train/loss", names);
        Assert.Contains("eval/accuracy", names);
        var run = (await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(jobId.Value)))!;
        Assert.Equal((RunKind.Reward, "rm", JobStatus.Succeeded), (run.Kind, run.Name, run.Status));
        Assert.Equal(["train/loss", "eval/accuracy"], run.KeyMetrics.Keys);
        var artifacts = await h.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<RunCatalog>().ArtifactsOf(jobId.Value)));
        Assert.True(File.Exists(artifacts.DisagreementsFile));
        // The first log line gives the split, so the run's page shows it while the run trains.
        var start = (await h.Queue.ReadLogAsync(jobId.Value)).First(l => l.Message.StartsWith("Training rm")).Message;
        var counts = System.Text.RegularExpressions.Regex.Match(start, @"on 48 pairs \((\d+) for training, (\d+) for validation\)");
        Assert.True(counts.Success, start);
        Assert.Equal(48, int.Parse(counts.Groups[1].Value) + int.Parse(counts.Groups[2].Value));
        Assert.InRange(int.Parse(counts.Groups[2].Value), 1, 47);
    }

    [Fact]
    public async Task A_bad_reward_run_request_is_refused_before_it_is_queued()
    {
        await using var h = await JobsHarness.CreateAsync();
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<RewardRunService>().EnqueueAsync(new RewardRunRequest
        {
            Name = "", BaseModelId = 99, ProjectId = 5, DataFile = "x.jsonl",
        }, null));
        Assert.Null(jobId);
        Assert.Contains(errors, e => e.StartsWith("Name the run"));
        Assert.Contains(errors, e => e.StartsWith("Choose the data"));
        Assert.Contains(errors, e => e.Contains("Base model 99"));
    }

    [Fact]
    public async Task A_PPO_run_registers_the_new_policy_and_writes_TRL_metrics_and_samples()
    {
        await using var h = await JobsHarness.CreateAsync();
        var policyId = await h.ImportFixtureAsync("gpt2-tiny-lm", "policy", ModelKind.Base);
        var rewardId = await h.ImportFixtureAsync("gpt2-tiny-reward", "reward", ModelKind.Reward);
        var project = await h.ProjectWithPromptsAsync(Enumerable.Range(0, 10).Select(i => $"Question {i}?").ToArray());
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<PpoRunService>().EnqueueAsync(new PpoRunRequest
        {
            Name = "policy-ppo", PolicyModelId = policyId, RewardModelId = rewardId, ProjectId = project, HeldOutFraction = 0.2,
            Config = new PpoConfig { Steps = 2, BatchSize = 4, MiniBatches = 1, PpoEpochs = 1, ResponseLength = 6, SampleEvery = 1, LearningRate = 1e-4 },
        }, null));
        Assert.True(jobId is not null, string.Join(" ", errors));

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        await using var db = await h.DbAsync();
        var model = await db.Models.SingleAsync(m => m.Name == "policy-ppo");
        Assert.Equal((ModelKind.Policy, (int?)policyId), (model.Kind, model.ParentId));
        var names = await db.JobMetrics.Where(m => m.JobId == jobId).Select(m => m.Name).Distinct().ToListAsync();
        foreach (var name in new[] { "objective/kl", "objective/entropy", "objective/non_score_reward", "objective/rlhf_reward", "objective/scores",
                     "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg", "loss/value_avg", "val/clipfrac_avg", "val/ratio", "val/num_eos_tokens", "lr", "episode" })
            Assert.Contains(name, names);
        var samples = await h.InScopeAsync(sp => sp.GetRequiredService<PpoRunService>().ReadSamplesAsync(jobId.Value));
        Assert.NotEmpty(samples);
        var run = (await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(jobId.Value)))!;
        Assert.Equal((RunKind.Ppo, "policy-ppo"), (run.Kind, run.Name));
        Assert.Equal(["objective/scores", "objective/kl"], run.KeyMetrics.Keys);
    }
}
