using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Runs PPO as a job: metrics written as they happen (TRL's names), sample tables every few updates, a resumable
/// checkpoint (TRL's PPO cannot resume; this one can), and the new policy registered with its lineage.
/// </summary>
public sealed class PpoRunJobHandler(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, RlhfPaths paths) : IJobHandler
{
    public const string JobKind = "ppo-run";
    public string Kind => JobKind;
    public bool CanResume => true;

    public static string SamplesFile(RlhfPaths paths, long jobId) => Path.Combine(RewardRunJobHandler.RunFolder(paths, jobId), "samples.jsonl");

    public async Task RunAsync(JobContext context, CancellationToken ct)
    {
        var request = context.Payload<PpoRunRequest>();
        if (request.Validate() is { Count: > 0 } errors) throw new JobFailedException(string.Join(" ", errors));
        var policy = await registry.GetAsync(request.PolicyModelId, ct) ?? throw new JobFailedException($"Policy {request.PolicyModelId} is not in the registry.");
        var reward = await registry.GetAsync(request.RewardModelId, ct) ?? throw new JobFailedException($"Reward model {request.RewardModelId} is not in the registry.");
        if (reward.Kind != ModelKind.Reward) throw new JobFailedException($"{reward.Name} is not a reward model.");

        List<string> prompts;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var all = await db.Prompts.AsNoTracking().Where(p => p.ProjectId == request.ProjectId).OrderBy(p => p.Id).Select(p => new { p.Id, p.Text }).ToListAsync(ct);
            prompts = all.Where(p => !PromptSplit.IsHeldOut(p.Id, request.HeldOutFraction)).Select(p => p.Text).ToList();
        }
        if (prompts.Count == 0) throw new JobFailedException($"Project {request.ProjectId} has no training prompts (after holding out {request.HeldOutFraction:P0}).");

        var folder = RewardRunJobHandler.RunFolder(paths, context.Job.Id);
        var output = Path.Combine(folder, "model");
        var checkpoint = Path.Combine(folder, "checkpoint");
        Directory.CreateDirectory(folder);
        await context.LogAsync($"{(context.IsResume ? "Resuming" : "Starting")} PPO {request.Name}: policy {policy.Name}, reward {reward.Name}, {prompts.Count} prompts, {request.Config.Steps} updates" +
            (!context.IsResume ? "." : PpoTrainer.CheckpointedStep(checkpoint) is { } done ? $", from the checkpoint of update {done}." : "; no checkpoint was written yet, so from the start."), ct: ct);

        var metrics = new ConcurrentQueue<PpoMetrics>();
        var samples = new ConcurrentQueue<IReadOnlyList<PpoSample>>();
        var trainer = new PpoTrainer(request.Config);
        var training = Task.Run(() => trainer.Train(registry.FolderOf(policy), registry.FolderOf(reward), prompts, output, checkpoint,
            metrics.Enqueue, samples.Enqueue, ct), ct);
        while (!training.IsCompleted)
        {
            await Task.WhenAny(training, Task.Delay(500, CancellationToken.None));
            await FlushAsync(context, metrics, samples, request.Config.Steps);
        }
        PpoResult result;
        try { result = await training; }
        catch (CheckpointMismatchException ex) { throw new JobFailedException(ex.Message); }
        await FlushAsync(context, metrics, samples, request.Config.Steps);

        var imported = await registry.ImportAsync(output, request.Name.Trim(), ModelKind.Policy, policy.Id, "run", context.Job.Id,
            $"PPO run {context.Job.Id} against {reward.Name}: mean score {result.FirstMeanScore:F3} → {result.LastMeanScore:F3}, KL {result.LastKl:F2}.",
            null, CancellationToken.None);
        if (!imported.Succeeded) throw new JobFailedException($"The trained policy could not be registered: {imported.Error}");
        await context.LogAsync($"Registered policy '{imported.Model!.Name}': mean score {result.FirstMeanScore:F3} → {result.LastMeanScore:F3}, objective/kl {result.LastKl:F2}.", ct: CancellationToken.None);
    }

    private async Task FlushAsync(JobContext context, ConcurrentQueue<PpoMetrics> metrics, ConcurrentQueue<IReadOnlyList<PpoSample>> samples, int steps)
    {
        PpoMetrics? last = null;
        while (metrics.TryDequeue(out var m))
        {
            await context.MetricsAsync(m.Step, m.Values, CancellationToken.None);
            last = m;
        }
        while (samples.TryDequeue(out var table))
        {
            var lines = table.Select(s => JsonSerializer.Serialize(s, JobQueue.Json));
            await File.AppendAllLinesAsync(SamplesFile(paths, context.Job.Id), lines, CancellationToken.None);
        }
        if (last is not null)
        {
            var score = last.Values.TryGetValue("objective/scores", out var sc) ? $", score {sc:F3}" : "";
            var kl = last.Values.TryGetValue("objective/kl", out var k) ? $", KL {k:F2}" : "";
            await context.ReportAsync(Math.Min(0.99, (double)last.Step / steps), $"update {last.Step}/{steps}{score}{kl}", CancellationToken.None);
        }
    }
}
