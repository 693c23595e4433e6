using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Lora;
using Rlhf.Training.Dpo;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Runs DPO as a job: gathers the pairs (a project's votes without its held-out prompts, or a TRL file), trains with
/// <see cref="DpoTrainer"/> (metrics as they happen, a resumable checkpoint every few steps), reports the pairs it
/// skipped line by line, writes the validation pairs whose implicit rewards disagree with the raters, and registers the
/// policy with its lineage (its starting policy as parent, this job, the data and the method in the notes).
/// </summary>
public sealed class DpoRunJobHandler(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, RlhfPaths paths) : ResumableJobHandler<DpoRunRequest>
{
    public const string JobKind = "dpo-run";
    public override string Kind => JobKind;

    /// <summary>At most this many skipped pairs are listed one by one in the job's log; the rest are counted.</summary>
    private const int SkippedListed = 20;

    protected override async Task RunAsync(JobContext context, DpoRunRequest request, CancellationToken ct)
    {
        var policy = await registry.GetAsync(request.PolicyModelId, ct) ?? throw new JobFailedException($"Policy {request.PolicyModelId} is not in the registry.");
        var reference = request.ReferenceModelId is { } referenceId
            ? await registry.GetAsync(referenceId, ct) ?? throw new JobFailedException($"Reference {referenceId} is not in the registry.")
            : policy;

        List<PreferencePair> pairs;
        Func<int, string> where;
        try
        {
            if (request.ProjectId is { } projectId)
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct)) throw new JobFailedException($"Project {projectId} does not exist.");
                pairs = (await PreferenceData.FromProjectAsync(db, projectId, request.Policy, ct))
                    .Where(p => !PromptSplit.IsHeldOut(long.Parse(p.Group), request.HeldOutFraction)).ToList();
                where = i => $"prompt {pairs[i].Group}";
            }
            else
            {
                var (filePairs, lines) = await PreferenceData.FromTrlFileWithLinesAsync(request.DataFile!, ct);
                pairs = filePairs;
                where = i => $"line {lines[i]}";
            }
        }
        catch (FormatException ex) { throw new JobFailedException($"The preference data is not valid: {ex.Message}"); }
        catch (IOException ex) { throw new JobFailedException($"The preference file cannot be read: {ex.Message}"); }
        if (pairs.Count < 2) throw new JobFailedException($"Only {pairs.Count} preference pairs: a DPO run needs at least 2 (comparisons whose votes the policy turns into a pair, outside the held-out prompts).");

        var artifacts = RunArtifacts.Of(paths, context.Job.Id).Create();
        await context.LogAsync($"{(context.IsResume ? "Resuming" : "Training")} DPO {request.Name} from {policy.Name} (reference {reference.Name}) on {pairs.Count} pairs" +
            (!context.IsResume ? "." : DpoTrainer.CheckpointedStep(artifacts.CheckpointFolder) is { } done ? $", from the checkpoint of step {done}." : "; no checkpoint was written yet, so from the start."), ct: ct);

        var host = new TrainingJobHost(context);
        var trainer = new DpoTrainer(request.Config) { MaxCpuSeconds = request.MaxCpuSeconds };
        DpoResult result;
        try
        {
            result = await host.RunAsync(() => artifacts.TrainInto(registry.FolderOf(policy), request.Config.Lora, outFolder =>
                trainer.Train(registry.FolderOf(policy), registry.FolderOf(reference), pairs, outFolder,
                artifacts.CheckpointFolder, m => host.Metrics(m.Step, m.Values, m.Epoch / request.Config.Epochs, Progress(m, request.Config.Epochs)), ct)), ct);
        }
        catch (ArgumentException ex) { throw new JobFailedException(ex.Message); }
        catch (TokenizerException ex) { throw new JobFailedException(ex.Message); }

        if (result.Steps < result.PlannedSteps)
            await context.LogAsync(PpoRunJobHandler.BudgetStop(request.MaxCpuSeconds, result.Steps, result.PlannedSteps, "steps"), ct: CancellationToken.None);
        if (result.Skipped.Count > 0)
            await context.LogAsync($"Skipped {result.Skipped.Count} of {pairs.Count} pairs: " +
                string.Join("; ", result.Skipped.Take(SkippedListed).Select(s => $"{where(s.PairIndex)}: {s.Reason}")) +
                (result.Skipped.Count > SkippedListed ? $"; and {result.Skipped.Count - SkippedListed} more." : "."), ct: CancellationToken.None);

        var disagreements = result.Validation.Where(v => !v.Correct)
            .Select(v => new RewardDisagreement(pairs[v.PairIndex].Prompt, pairs[v.PairIndex].Chosen, pairs[v.PairIndex].Rejected, v.ChosenReward, v.RejectedReward))
            .ToList();
        await artifacts.WriteDisagreementsAsync(disagreements, CancellationToken.None);

        var data = request.ProjectId is { } pid ? $"the votes of project {pid}" : $"the file {Path.GetFileName(request.DataFile)}";
        var imported = await registry.ImportAsync(artifacts.ModelFolder, request.Name.Trim(), ModelKind.Policy, policy.Id, "run", context.Job.Id,
            $"DPO run {context.Job.Id} ({request.Config.LossType}, beta {request.Config.Beta:G3}){LoraConfig.Describe(request.Config.Lora)} from {policy.Name} against reference {reference.Name} on {data}: " +
            $"{result.TrainPairs} train / {result.ValidationPairs} validation pairs, held-out implicit-reward accuracy {result.ValidationAccuracy:P1}.",
            null, CancellationToken.None);
        if (!imported.Succeeded) throw new JobFailedException($"The trained policy could not be registered: {imported.Error}");
        await context.LogAsync($"Registered policy '{imported.Model!.Name}' (validation rewards/accuracies {result.ValidationAccuracy:P1}).", ct: CancellationToken.None);
    }

    private static string Progress(DpoMetrics m, int epochs)
    {
        var loss = m.Values.TryGetValue("train/loss", out var l) ? $", loss {l:F4}" : "";
        var acc = m.Values.TryGetValue("eval/rewards/accuracies", out var a) ? $", eval accuracy {a:P1}" : "";
        return $"step {m.Step} (epoch {m.Epoch:F2} of {epochs}){loss}{acc}";
    }
}
