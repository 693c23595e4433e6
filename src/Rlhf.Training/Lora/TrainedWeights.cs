using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Lora;

/// <summary>
/// What a trainer trains in one model: every weight (full fine-tuning), or a LoRA adapter on the frozen base
/// (<see cref="LoraAdapter"/>). Every trainer (reward, DPO, PPO's policy and value, GRPO) goes through it, so the
/// optimizer, the checkpoints, the output and the reference are handled one way:
/// <code>
/// using var model = ModelLoader.LoadLanguageModel(TrainedWeights.LoadFolder(baseFolder, resume?.ModelFolder));
/// using var trained = TrainedWeights.Attach(model, config.Lora, resume?.ModelFolder, generator);
/// var optimizer = new FusedAdamW(trained.Parameters, ...);
/// using (trained.AsReference()) { ... }     // LoRA: the base with the adapter off; no second copy of the weights
/// trained.Save(outFolder, baseFolder);      // HF layout, or the adapter in PEFT's layout (with the tokenizer files)
/// </code>
/// A checkpoint of a LoRA run holds the adapter only; resuming loads the base again and the adapter on top.
/// </summary>
public sealed class TrainedWeights : IDisposable
{
    private readonly IDecoderModel _model;

    private TrainedWeights(IDecoderModel model, LoraAdapter? adapter)
    {
        _model = model;
        Adapter = adapter;
    }

    /// <summary>The adapter, or null for full fine-tuning.</summary>
    public LoraAdapter? Adapter { get; }

    public bool IsLora => Adapter is not null;

    /// <summary>The folder to load the model from: a checkpoint's full weights, else the base (a LoRA checkpoint holds only the adapter).</summary>
    public static string LoadFolder(string baseFolder, string? checkpointModelFolder) =>
        checkpointModelFolder is null || LoraFiles.IsAdapter(checkpointModelFolder) ? baseFolder : checkpointModelFolder;

    /// <summary>
    /// Full fine-tuning when <paramref name="lora"/> is null; else a fresh adapter (lora_A from <paramref name="generator"/>)
    /// or, resuming, the checkpoint's adapter. <paramref name="scoreHead"/>: a reward or value model, whose head the adapter holds.
    /// </summary>
    public static TrainedWeights Attach(IDecoderModel model, LoraConfig? lora, string? checkpointModelFolder, Generator? generator, bool scoreHead = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (lora is null) return new TrainedWeights(model, null);
        if (checkpointModelFolder is not null && LoraFiles.IsAdapter(checkpointModelFolder))
        {
            var loaded = LoraAdapter.Load(model.Module, model.ModelType, checkpointModelFolder, lora.TrainScoreHead);
            if (loaded.Config with { TrainScoreHead = false, TargetModules = [] } != lora with { TrainScoreHead = false, TargetModules = [] })
            {
                loaded.Dispose();
                throw new CheckpointMismatchException(checkpointModelFolder, "the checkpoint's adapter has other LoRA settings than this run");
            }
            return new TrainedWeights(model, loaded);
        }
        return new TrainedWeights(model, LoraAdapter.Apply(model.Module, model.ModelType, lora, generator, scoreHead));
    }

    /// <summary>The trained parameters, HF names: the model's, or the adapter's (lora_A/lora_B and a training score head).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> Parameters =>
        Adapter?.TrainableParameters ?? _model.Module.named_parameters().Select(p => (p.name, p.parameter));

    /// <summary>Elements that train.</summary>
    public long TrainedCount => Parameters.Sum(p => p.Parameter.numel());

    /// <summary>
    /// Until disposed, the model computes its frozen base (the adapter off): the reference of DPO, PPO and GRPO when it is
    /// the policy's starting point. Full fine-tuning has no frozen base: null there, the caller loads a reference.
    /// </summary>
    public IDisposable? AsReference() => Adapter?.Disabled();

    /// <summary>Writes the model (HF layout) or the adapter (PEFT layout, base = <paramref name="baseFolder"/>), with the base's tokenizer files.</summary>
    public void Save(string folder, string baseFolder)
    {
        if (Adapter is null)
        {
            ModelSaver.Save(_model, baseFolder, folder);
            return;
        }
        Adapter.Save(folder, Path.GetFullPath(baseFolder));
        ModelFiles.CopyCompanions(baseFolder, folder);
    }

    public void Dispose() => Adapter?.Dispose();
}
