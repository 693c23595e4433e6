using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>Run services answer with a typed outcome (queued, refused, not found), so no caller reads the error text.</summary>
public class RunEnqueueOutcomeTests
{
    [Fact]
    public async Task A_reward_run_is_queued_refused_or_not_found()
    {
        await using var h = await JobsHarness.CreateAsync();
        var baseId = await h.ImportFixtureAsync("gpt2-tiny-lm", "base", ModelKind.Base);
        var project = await h.ProjectWithPromptsAsync(["Question?"]);
        Task<EnqueueResult> Enqueue(RewardRunRequest r) => h.InScopeAsync(sp => sp.GetRequiredService<RewardRunService>().EnqueueAsync(r, null));

        var queued = await Enqueue(new RewardRunRequest { Name = "rm", BaseModelId = baseId, ProjectId = project });
        Assert.Equal(EnqueueOutcome.Queued, queued.Outcome);
        Assert.Equal(queued.JobId, (await h.Queue.GetAsync(queued.JobId!.Value))!.Id);
        Assert.Empty(queued.Errors);

        var missing = await Enqueue(new RewardRunRequest { Name = "rm2", BaseModelId = baseId, ProjectId = project + 100 });
        Assert.Equal((EnqueueOutcome.NotFound, (long?)null), (missing.Outcome, missing.JobId));
        Assert.Equal([$"Project {project + 100} does not exist."], missing.Errors);

        var taken = await Enqueue(new RewardRunRequest { Name = "base", BaseModelId = baseId, ProjectId = project });
        Assert.Equal((EnqueueOutcome.Refused, (long?)null), (taken.Outcome, taken.JobId));
        Assert.Equal(["A model named 'base' already exists; name the run differently."], taken.Errors);
    }

    [Fact]
    public async Task A_PPO_run_is_queued_refused_or_not_found()
    {
        await using var h = await JobsHarness.CreateAsync();
        var policyId = await h.ImportFixtureAsync("gpt2-tiny-lm", "policy", ModelKind.Base);
        var rewardId = await h.ImportFixtureAsync("gpt2-tiny-reward", "reward", ModelKind.Reward);
        var project = await h.ProjectWithPromptsAsync(["Question 1?", "Question 2?"]);
        Task<EnqueueResult> Enqueue(PpoRunRequest r) => h.InScopeAsync(sp => sp.GetRequiredService<PpoRunService>().EnqueueAsync(r, null));

        var queued = await Enqueue(new PpoRunRequest { Name = "ppo", PolicyModelId = policyId, RewardModelId = rewardId, ProjectId = project });
        Assert.Equal(EnqueueOutcome.Queued, queued.Outcome);
        Assert.NotNull(await h.Queue.GetAsync(queued.JobId!.Value));

        var missing = await Enqueue(new PpoRunRequest { Name = "ppo2", PolicyModelId = policyId, RewardModelId = rewardId, ProjectId = project + 100 });
        Assert.Equal((EnqueueOutcome.NotFound, (long?)null), (missing.Outcome, missing.JobId));
        Assert.Equal([$"Project {project + 100} does not exist."], missing.Errors);

        var swapped = await Enqueue(new PpoRunRequest { Name = "ppo3", PolicyModelId = rewardId, RewardModelId = policyId, ProjectId = project });
        Assert.Equal(EnqueueOutcome.Refused, swapped.Outcome);
        Assert.Equal(["reward is a reward model, not a policy.", "policy is not a reward model."], swapped.Errors);
    }
}
