using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Lora;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Runs a reward run as a job: gathers the pairs, trains with <see cref="RewardTrainer"/> (metrics written as they
/// happen, a resumable checkpoint every few steps), writes the validation pairs the model disagrees on, and
/// registers the model with its lineage and final validation accuracy. Resumable from its last checkpoint.
/// </summary>
public sealed class RewardRunJobHandler(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, RlhfPaths paths) : ResumableJobHandler<RewardRunRequest>
{
    public const string JobKind = "reward-run";
    public override string Kind => JobKind;

    protected override async Task RunAsync(JobContext context, RewardRunRequest request, CancellationToken ct)
    {
        var baseModel = await registry.GetAsync(request.BaseModelId, ct) ?? throw new JobFailedException($"Model {request.BaseModelId} is not in the registry.");

        List<PreferencePair> pairs;
        try
        {
            if (request.ProjectId is { } projectId)
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct)) throw new JobFailedException($"Project {projectId} does not exist.");
                pairs = await PreferenceData.FromProjectAsync(db, projectId, request.Policy, ct);
            }
            else pairs = await PreferenceData.FromTrlFileAsync(request.DataFile!, ct);
        }
        catch (FormatException ex) { throw new JobFailedException($"The preference data is not valid: {ex.Message}"); }
        catch (IOException ex) { throw new JobFailedException($"The preference file cannot be read: {ex.Message}"); }
        if (pairs.Count < 4) throw new JobFailedException($"Only {pairs.Count} preference pairs: a reward run needs at least 4 (comparisons whose votes the policy turns into a pair).");

        var artifacts = RunArtifacts.Of(paths, context.Job.Id).Create();
        // The trainer's own split (same pairs, share and seed): the run's page shows the counts from the first line on.
        var split = PreferenceSplit.Create(pairs, request.Config.ValidationFraction, request.Config.Seed);
        await context.LogAsync($"{(context.IsResume ? "Resuming" : "Training")} {request.Name} from {baseModel.Name} on {pairs.Count} pairs ({split.Train.Count} for training, {split.Validation.Count} for validation)" +
            (!context.IsResume ? "." : RewardTrainer.CheckpointedStep(artifacts.CheckpointFolder) is { } done ? $", from the checkpoint of step {done}." : "; no checkpoint was written yet, so from the start."), ct: ct);

        var host = new TrainingJobHost(context);
        var trainer = new RewardTrainer(request.Config);
        RewardTrainingResult result;
        try
        {
            result = await host.RunAsync(() => artifacts.TrainInto(registry.FolderOf(baseModel), request.Config.Lora, outFolder =>
                trainer.Train(registry.FolderOf(baseModel), pairs, outFolder, artifacts.CheckpointFolder,
                m => host.Metrics(m.Step, m.Values, m.Step / (double)TotalSteps(m, request.Config.Epochs), Progress(m, request.Config.Epochs)), ct)), ct);
        }
        catch (ArgumentException ex) { throw new JobFailedException(ex.Message); }

        // The validation pairs where the model disagrees with the raters, for the run page.
        var disagreements = result.Validation.Where(v => v.ChosenReward <= v.RejectedReward)
            .Select(v => new RewardDisagreement(pairs[v.PairIndex].Prompt, pairs[v.PairIndex].Chosen, pairs[v.PairIndex].Rejected, v.ChosenReward, v.RejectedReward))
            .ToList();
        await artifacts.WriteDisagreementsAsync(disagreements, ct);

        var name = request.Name.Trim();
        var imported = await registry.ImportAsync(artifacts.ModelFolder, name, ModelKind.Reward, baseModel.Id, "run", context.Job.Id,
            $"Reward run {context.Job.Id}{LoraConfig.Describe(request.Config.Lora)}: {result.TrainPairs} train / {result.ValidationPairs} validation pairs, validation accuracy {result.FinalValidationAccuracy:P1}.",
            null, CancellationToken.None);
        if (!imported.Succeeded) throw new JobFailedException($"The trained model could not be registered: {imported.Error}");
        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
            await db.Models.Where(m => m.Id == imported.Model!.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ValidationAccuracy, result.FinalValidationAccuracy), CancellationToken.None);
        await context.LogAsync($"Registered reward model '{name}' (validation accuracy {result.FinalValidationAccuracy:P1}, loss {result.FinalValidationLoss:F4}, reward shift {result.RewardShift:+0.000;-0.000}).", ct: CancellationToken.None);
    }

    // The trainer's step count: its steps per epoch are Step / Epoch (every record carries both).
    private static long TotalSteps(RewardMetrics m, int epochs) => Math.Max(1, (long)Math.Round(m.Step / m.Epoch) * epochs);

    private static string Progress(RewardMetrics m, int epochs)
    {
        var loss = m.Values.TryGetValue("train/loss", out var l) ? $", loss {l:F4}" : "";
        var acc = m.Values.TryGetValue("eval/accuracy", out var a) ? $", eval accuracy {a:P1}" : "";
        return $"step {m.Step}/{TotalSteps(m, epochs)}{loss}{acc}";
    }
}
