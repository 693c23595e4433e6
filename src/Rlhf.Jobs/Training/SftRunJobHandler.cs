using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Lora;
using Rlhf.Training.Ppo;
using Rlhf.Training.Sft;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Runs an SFT run as a job: gathers the demonstrations (<see cref="SftData"/>), trains with <see cref="SftTrainer"/>
/// (metrics and samples written as they happen, a resumable checkpoint every few steps), and registers the model as a
/// policy whose parent is the base, with the data and the method in its description. A LoRA run's adapter stays in the
/// run's folder ("adapter", PEFT layout) and the registered model is the base with it merged in, so it can be the base
/// or policy of any other run. Resumable from its last checkpoint.
/// </summary>
public sealed class SftRunJobHandler(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, RlhfPaths paths) : ResumableJobHandler<SftRunRequest>
{
    public const string JobKind = "sft-run";
    public override string Kind => JobKind;

    protected override async Task RunAsync(JobContext context, SftRunRequest request, CancellationToken ct)
    {
        var baseModel = await registry.GetAsync(request.BaseModelId, ct) ?? throw new JobFailedException($"Model {request.BaseModelId} is not in the registry.");

        IReadOnlyList<SftExample> examples;
        try
        {
            if (request.ProjectId is { } projectId)
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct)) throw new JobFailedException($"Project {projectId} does not exist.");
                examples = await SftData.FromProjectAsync(db, projectId, request.Policy, ct);
            }
            else examples = await SftData.FromFileAsync(request.DataFile!, ct);
        }
        catch (FormatException ex) { throw new JobFailedException($"The SFT data is not valid: {ex.Message}"); }
        catch (IOException ex) { throw new JobFailedException($"The SFT data file cannot be read: {ex.Message}"); }
        if (examples.Count < 2) throw new JobFailedException($"Only {examples.Count} demonstrations: an SFT run needs at least 2.");

        var artifacts = RunArtifacts.Of(paths, context.Job.Id).Create();
        var adapterFolder = Path.Combine(artifacts.Folder, "adapter");
        var method = request.Config.Lora is { } lora ? $"LoRA r={lora.Rank}, alpha {lora.Alpha:G4}" : "full fine-tuning";
        await context.LogAsync($"{(context.IsResume ? "Resuming" : "Training")} {request.Name} from {baseModel.Name} on {examples.Count} demonstrations ({method})" +
            (!context.IsResume ? "." : SftTrainer.CheckpointedStep(artifacts.CheckpointFolder) is { } done ? $", from the checkpoint of step {done}." : "; no checkpoint was written yet, so from the start."), ct: ct);

        var host = new TrainingJobHost(context);
        var trainer = new SftTrainer(request.Config);
        var baseFolder = registry.FolderOf(baseModel);
        SftResult result;
        try
        {
            result = await host.RunAsync(() =>
            {
                var r = trainer.Train(baseFolder, examples, request.Config.Lora is null ? artifacts.ModelFolder : adapterFolder, artifacts.CheckpointFolder,
                    m => host.Metrics(m.Step, m.Values, (double)m.Step / m.TotalSteps, Progress(m)),
                    samples => host.Write(write => artifacts.AppendSamplesAsync(samples.Select(s => new PpoSample(s.Step, s.Prompt, s.Response, 0, s.HasEos)), write)), ct);
                if (r.IsAdapter) LoraMerge.Merge(baseFolder, adapterFolder, artifacts.ModelFolder);
                return r;
            }, ct);
        }
        catch (ArgumentException ex) { throw new JobFailedException(ex.Message); }

        var data = request.ProjectId is { } p ? $"project {p}'s demonstrations" : Path.GetFileName(request.DataFile!);
        var name = request.Name.Trim();
        var imported = await registry.ImportAsync(artifacts.ModelFolder, name, ModelKind.Policy, baseModel.Id, "run", context.Job.Id,
            $"SFT run {context.Job.Id} ({method}{(result.IsAdapter ? ", merged" : "")}) of {baseModel.Name} on {data}: {result.TrainExamples} train / " +
            $"{result.ValidationExamples} validation demonstrations, eval_loss {result.FinalEvalLoss:F4}.",
            null, CancellationToken.None);
        if (!imported.Succeeded) throw new JobFailedException($"The trained model could not be registered: {imported.Error}");
        await context.LogAsync($"Registered policy '{name}' (eval_loss {result.FinalEvalLoss:F4}, {result.NumTokens:N0} tokens trained on).", ct: CancellationToken.None);
    }

    private static string Progress(SftMetrics m)
    {
        var loss = m.Values.TryGetValue("loss", out var l) ? $", loss {l:F4}" : "";
        var eval = m.Values.TryGetValue("eval_loss", out var e) ? $", eval_loss {e:F4}" : "";
        return $"step {m.Step}/{m.TotalSteps}{loss}{eval}";
    }
}
