using Rlhf.Training.Lora;
using System.Text.Json;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Runs;

/// <summary>
/// A run's folder under the data folder, runs/{job id}/:
/// <code>
/// model/               the trained model (registered when the run succeeds)
/// checkpoint/          the resumable checkpoint (trainer_state.json and its step folder)
/// samples.jsonl        PPO: the sample tables, one PpoSample a line, appended as the run goes
/// disagreements.json   reward and DPO: the validation pairs the model ranks against the raters (DPO: by implicit reward)
/// </code>
/// </summary>
public sealed record RunArtifacts(string Folder)
{
    public static RunArtifacts Of(RlhfPaths paths, long jobId) => new(Path.Combine(paths.DataFolder, "runs", jobId.ToString()));

    public string ModelFolder => Path.Combine(Folder, "model");
    public string AdapterFolder => Path.Combine(Folder, "adapter");

    /// <summary>
    /// Runs <paramref name="train"/> with the folder it writes to: the model folder, or for a LoRA run the adapter folder
    /// (PEFT layout), after which the base with the adapter merged in goes to the model folder. The merged weights are
    /// what a run registers, so every consumer (generation, rating against the reference, PPO's reward model) loads a
    /// full model; the adapter stays in the run's folder for PEFT users.
    /// </summary>
    public T TrainInto<T>(string baseFolder, LoraConfig? lora, Func<string, T> train)
    {
        var result = train(lora is null ? ModelFolder : AdapterFolder);
        if (lora is not null) LoraMerge.Merge(baseFolder, AdapterFolder, ModelFolder);
        return result;
    }
    public string CheckpointFolder => Path.Combine(Folder, "checkpoint");
    public string SamplesFile => Path.Combine(Folder, "samples.jsonl");
    public string DisagreementsFile => Path.Combine(Folder, "disagreements.json");

    /// <summary>Makes the folder (kept when it exists: a resumed run finds its checkpoint there).</summary>
    public RunArtifacts Create()
    {
        Directory.CreateDirectory(Folder);
        return this;
    }

    public Task AppendSamplesAsync(IEnumerable<PpoSample> table, CancellationToken ct) =>
        File.AppendAllLinesAsync(SamplesFile, table.Select(s => JsonSerializer.Serialize(s, JobQueue.Json)), ct);

    /// <summary>The sample tables written so far, newest update first.</summary>
    public async Task<IReadOnlyList<PpoSample>> ReadSamplesAsync(CancellationToken ct)
    {
        if (!File.Exists(SamplesFile)) return [];
        var lines = await File.ReadAllLinesAsync(SamplesFile, ct);
        return lines.Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<PpoSample>(l, JobQueue.Json)!)
            .OrderByDescending(s => s.Step).ToList();
    }

    public Task WriteDisagreementsAsync(IReadOnlyList<RewardDisagreement> disagreements, CancellationToken ct) =>
        File.WriteAllTextAsync(DisagreementsFile, JsonSerializer.Serialize(disagreements, JobQueue.Json), ct);

    /// <summary>The validation pairs a finished reward run's model got wrong (empty when none or not written).</summary>
    public async Task<IReadOnlyList<RewardDisagreement>> ReadDisagreementsAsync(CancellationToken ct)
    {
        if (!File.Exists(DisagreementsFile)) return [];
        await using var stream = File.OpenRead(DisagreementsFile);
        return await JsonSerializer.DeserializeAsync<List<RewardDisagreement>>(stream, JobQueue.Json, ct) ?? [];
    }
}
