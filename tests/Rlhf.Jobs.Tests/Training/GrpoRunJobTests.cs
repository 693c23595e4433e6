using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Runs;
using Rlhf.Jobs.Training;
using Rlhf.Training.Grpo;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>A GRPO run through the job runner: TRL's metrics, samples, the policy registered with its lineage, and rated against its reference.</summary>
public class GrpoRunJobTests
{
    [Fact]
    public async Task A_GRPO_run_registers_the_new_policy_with_its_lineage_and_can_be_rated_against_its_reference()
    {
        await using var h = await JobsHarness.CreateAsync();
        var policyId = await h.ImportFixtureAsync("gpt2-tiny-lm", "policy", ModelKind.Base);
        var rewardId = await h.ImportFixtureAsync("gpt2-tiny-reward", "reward", ModelKind.Reward);
        var project = await h.ProjectWithPromptsAsync(Enumerable.Range(0, 10).Select(i => $"Question {i}?").ToArray());
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<GrpoRunService>().EnqueueAsync(new GrpoRunRequest
        {
            Name = "policy-grpo", PolicyModelId = policyId, RewardModelId = rewardId, ProjectId = project, HeldOutFraction = 0.3,
            Config = new GrpoConfig { Steps = 2, BatchSize = 2, NumGenerations = 2, MaxCompletionLength = 4, SampleEvery = 1, LearningRate = 1e-4 },
        }, null));
        Assert.True(jobId is not null, string.Join(" ", errors));

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        await using (var db = await h.DbAsync())
        {
            var model = await db.Models.SingleAsync(m => m.Name == "policy-grpo");
            Assert.Equal((ModelKind.Policy, (int?)policyId, (long?)jobId), (model.Kind, model.ParentId, model.ProducedByJobId));
            Assert.Contains("GRPO run", model.Notes);
            var names = await db.JobMetrics.Where(m => m.JobId == jobId).Select(m => m.Name).Distinct().ToListAsync();
            foreach (var name in new[] { "reward", "reward_std", "kl", "entropy", "completions/mean_length", "clip_ratio/region_mean", "loss", "learning_rate" })
                Assert.Contains(name, names);
        }
        Assert.Equal(8, (await h.InScopeAsync(sp => sp.GetRequiredService<GrpoRunService>().ReadSamplesAsync(jobId.Value))).Count);   // 2 updates x 2 prompts x 2
        var run = (await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(jobId.Value)))!;
        Assert.Equal((RunKind.Grpo, "policy-grpo"), (run.Kind, run.Name));
        Assert.Equal(["reward", "kl"], run.KeyMetrics.Keys);
        Assert.IsType<GrpoRunRequest>(run.Settings);

        // Closing the loop: the held-out prompts become a rating project, the new policy against its reference.
        var (projectId, generationJob, loopErrors) = await h.InScopeAsync(sp => sp.GetRequiredService<LoopService>().RateAgainstReferenceAsync(jobId.Value, null));
        Assert.True(projectId is not null, string.Join(" ", loopErrors));
        Assert.NotNull(generationJob);
        await using (var db = await h.DbAsync())
        {
            var rating = await db.Projects.SingleAsync(p => p.Id == projectId);
            Assert.Equal("policy-grpo vs policy", rating.Name);
            Assert.NotEmpty(await db.Prompts.Where(p => p.ProjectId == projectId).ToListAsync());
        }

        // A bad request is refused before it is queued, each problem in its own words.
        var (badJob, badErrors) = await h.InScopeAsync(sp => sp.GetRequiredService<GrpoRunService>().EnqueueAsync(new GrpoRunRequest
        {
            Name = "bad", PolicyModelId = rewardId, RewardModelId = policyId, ProjectId = project, Config = new GrpoConfig { NumGenerations = 1 },
        }, null));
        Assert.Null(badJob);
        Assert.Contains(badErrors, e => e.Contains("--group must be >= 2"));
        Assert.Contains(badErrors, e => e.Contains("is a reward model, not a policy"));
    }
}
