using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Lora;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Runs PPO as a job: metrics written as they happen (TRL's names), sample tables every few updates, a resumable
/// checkpoint (TRL's PPO cannot resume; this one can), and the new policy registered with its lineage.
/// </summary>
public sealed class PpoRunJobHandler(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, RlhfPaths paths) : ResumableJobHandler<PpoRunRequest>
{
    public const string JobKind = "ppo-run";
    public override string Kind => JobKind;

    protected override async Task RunAsync(JobContext context, PpoRunRequest request, CancellationToken ct)
    {
        var policy = await registry.GetAsync(request.PolicyModelId, ct) ?? throw new JobFailedException($"Policy {request.PolicyModelId} is not in the registry.");
        var reward = await registry.GetAsync(request.RewardModelId, ct) ?? throw new JobFailedException($"Reward model {request.RewardModelId} is not in the registry.");
        if (reward.Kind != ModelKind.Reward) throw new JobFailedException($"{reward.Name} is not a reward model.");

        List<string> prompts;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            prompts = await PromptSplit.TrainingPromptsAsync(db, request.ProjectId, request.HeldOutFraction, ct);
        }
        if (prompts.Count == 0) throw new JobFailedException($"Project {request.ProjectId} has no training prompts (after holding out {request.HeldOutFraction:P0}).");

        var artifacts = RunArtifacts.Of(paths, context.Job.Id).Create();
        var steps = request.Config.Steps;
        await context.LogAsync($"{(context.IsResume ? "Resuming" : "Starting")} PPO {request.Name}: policy {policy.Name}, reward {reward.Name}, {prompts.Count} prompts, {steps} updates" +
            (!context.IsResume ? "." : PpoTrainer.CheckpointedStep(artifacts.CheckpointFolder) is { } done ? $", from the checkpoint of update {done}." : "; no checkpoint was written yet, so from the start."), ct: ct);

        var host = new TrainingJobHost(context);
        var trainer = new PpoTrainer(request.Config) { MaxCpuSeconds = request.MaxCpuSeconds };
        var result = await host.RunAsync(() => artifacts.TrainInto(registry.FolderOf(policy), request.Config.Lora, outFolder =>
            trainer.Train(registry.FolderOf(policy), registry.FolderOf(reward), prompts, outFolder,
            artifacts.CheckpointFolder, m => host.Metrics(m.Step, m.Values, (double)m.Step / steps, Progress(m.Step, steps, m.Values)),
            table => host.Write(write => artifacts.AppendSamplesAsync(table, write)), ct)), ct);

        if (result.Steps < steps) await context.LogAsync(BudgetStop(request.MaxCpuSeconds, result.Steps, steps, "updates"), ct: CancellationToken.None);
        var imported = await registry.ImportAsync(artifacts.ModelFolder, request.Name.Trim(), ModelKind.Policy, policy.Id, "run", context.Job.Id,
            $"PPO run {context.Job.Id}{LoraConfig.Describe(request.Config.Lora)} against {reward.Name}: mean score {result.FirstMeanScore:F3} → {result.LastMeanScore:F3}, KL {result.LastKl:F2}.",
            null, CancellationToken.None);
        if (!imported.Succeeded) throw new JobFailedException($"The trained policy could not be registered: {imported.Error}");
        await context.LogAsync($"Registered policy '{imported.Model!.Name}': mean score {result.FirstMeanScore:F3} → {result.LastMeanScore:F3}, objective/kl {result.LastKl:F2}.", ct: CancellationToken.None);
    }

    /// <summary>The log line of a run that stopped at its CPU budget before its step count.</summary>
    internal static string BudgetStop(double? cpuSeconds, long done, long planned, string unit) =>
        $"Stopped at the CPU budget ({cpuSeconds:F0} CPU-seconds) after {done} of {planned} {unit}.";

    private static string Progress(long step, int steps, IReadOnlyDictionary<string, double> values)
    {
        var score = values.TryGetValue("objective/scores", out var sc) ? $", score {sc:F3}" : "";
        var kl = values.TryGetValue("objective/kl", out var k) ? $", KL {k:F2}" : "";
        return $"update {step}/{steps}{score}{kl}";
    }
}
