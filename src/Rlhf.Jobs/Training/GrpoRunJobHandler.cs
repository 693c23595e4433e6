using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Lora;
using Rlhf.Training.Grpo;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Runs GRPO as a job: metrics written as they happen (TRL's names), sample tables every few updates, a resumable
/// checkpoint, and the new policy registered with its lineage (the starting policy as parent, this run as producer).
/// </summary>
public sealed class GrpoRunJobHandler(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, RlhfPaths paths) : ResumableJobHandler<GrpoRunRequest>
{
    public const string JobKind = "grpo-run";
    public override string Kind => JobKind;

    protected override async Task RunAsync(JobContext context, GrpoRunRequest request, CancellationToken ct)
    {
        var policy = await registry.GetAsync(request.PolicyModelId, ct) ?? throw new JobFailedException($"Policy {request.PolicyModelId} is not in the registry.");
        var reward = await registry.GetAsync(request.RewardModelId, ct) ?? throw new JobFailedException($"Reward model {request.RewardModelId} is not in the registry.");
        if (reward.Kind != ModelKind.Reward) throw new JobFailedException($"{reward.Name} is not a reward model.");

        List<string> prompts;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            prompts = await PromptSplit.TrainingPromptsAsync(db, request.ProjectId, request.HeldOutFraction, ct);
        if (prompts.Count == 0) throw new JobFailedException($"Project {request.ProjectId} has no training prompts (after holding out {request.HeldOutFraction:P0}).");

        var artifacts = RunArtifacts.Of(paths, context.Job.Id).Create();
        var steps = request.Config.Steps;
        await context.LogAsync($"{(context.IsResume ? "Resuming" : "Starting")} GRPO {request.Name}: policy {policy.Name}, reward {reward.Name}, {prompts.Count} prompts, " +
            $"{steps} updates of {request.Config.BatchSize} prompts x {request.Config.NumGenerations} completions" +
            (!context.IsResume ? "." : GrpoTrainer.CheckpointedStep(artifacts.CheckpointFolder) is { } done ? $", from the checkpoint of update {done}." : "; no checkpoint was written yet, so from the start."), ct: ct);

        var host = new TrainingJobHost(context);
        var trainer = new GrpoTrainer(request.Config) { MaxCpuSeconds = request.MaxCpuSeconds };
        var result = await host.RunAsync(() => artifacts.TrainInto(registry.FolderOf(policy), request.Config.Lora, outFolder =>
            trainer.Train(registry.FolderOf(policy), registry.FolderOf(reward), prompts, outFolder,
            artifacts.CheckpointFolder, m => host.Metrics(m.Step, m.Values, (double)m.Step / steps, Progress(m.Step, steps, m.Values)),
            table => host.Write(write => artifacts.AppendSamplesAsync(table, write)), ct)), ct);

        if (result.Steps < steps) await context.LogAsync(PpoRunJobHandler.BudgetStop(request.MaxCpuSeconds, result.Steps, steps, "updates"), ct: CancellationToken.None);
        var kl = double.IsNaN(result.LastKl) ? "beta 0" : $"kl {result.LastKl:F3}";
        var imported = await registry.ImportAsync(artifacts.ModelFolder, request.Name.Trim(), ModelKind.Policy, policy.Id, "run", context.Job.Id,
            $"GRPO run {context.Job.Id}{LoraConfig.Describe(request.Config.Lora)} against {reward.Name} on project {request.ProjectId}: mean reward {result.FirstMeanReward:F3} → {result.LastMeanReward:F3}, {kl}.",
            null, CancellationToken.None);
        if (!imported.Succeeded) throw new JobFailedException($"The trained policy could not be registered: {imported.Error}");
        await context.LogAsync($"Registered policy '{imported.Model!.Name}': mean reward {result.FirstMeanReward:F3} → {result.LastMeanReward:F3}, {kl}.", ct: CancellationToken.None);
    }

    private static string Progress(long step, int steps, IReadOnlyDictionary<string, double> values)
    {
        var reward = values.TryGetValue("reward", out var r) ? $", reward {r:F3}" : "";
        var kl = values.TryGetValue("kl", out var k) ? $", kl {k:F3}" : "";
        return $"update {step}/{steps}{reward}{kl}";
    }
}
