using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;
using Rlhf.Jobs.Runs;

namespace Rlhf.Jobs.Training;

/// <summary>The references a run that trains a policy against a reward model on a project's prompts (PPO, GRPO) must have.</summary>
public static class PolicyRunChecks
{
    /// <summary>
    /// Adds to <paramref name="errors"/> what is wrong with the references: the policy and reward model exist and are of
    /// their kinds, the project exists for <paramref name="actor"/> and has prompts, the run name is free.
    /// </summary>
    public static async Task<(Model? Policy, Model? Reward, bool ProjectExists)> AddProblemsAsync(RlhfDbContext db, int policyModelId, int rewardModelId,
        int projectId, string name, AuditActor? actor, List<string> errors, CancellationToken ct)
    {
        var policy = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == policyModelId, ct);
        var reward = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == rewardModelId, ct);
        if (policy is null) errors.Add($"Policy {policyModelId} is not in the registry.");
        else if (policy.Kind == ModelKind.Reward) errors.Add($"{policy.Name} is a reward model, not a policy.");
        if (reward is null) errors.Add($"Reward model {rewardModelId} is not in the registry.");
        else if (reward.Kind != ModelKind.Reward) errors.Add($"{reward.Name} is not a reward model.");
        var projectExists = await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == projectId, ct);
        if (!projectExists) errors.Add($"Project {projectId} does not exist.");
        else if (!await db.Prompts.AnyAsync(p => p.ProjectId == projectId, ct)) errors.Add($"Project {projectId} has no prompts.");
        if (await RunName.TakenAsync(db, name, ct) is { } taken) errors.Add(taken);
        return (policy, reward, projectExists);
    }
}
