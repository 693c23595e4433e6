using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;

namespace Rlhf.Training.Lora;

/// <summary>
/// PEFT's merge_and_unload on folders: the base model with the adapter's scaling * B A added to each adapted weight,
/// saved as a full model (HF layout, with the base's tokenizer files). Its logits (a reward adapter's: its rewards)
/// equal the base with the adapter applied at run time. This is what a run registers: every consumer (generation,
/// rating against the reference, PPO's reward model) loads full weights, and the adapter stays in the run's folder.
/// </summary>
public static class LoraMerge
{
    public static void Merge(string baseFolder, string adapterFolder, string outFolder)
    {
        if (!LoraFiles.IsAdapter(adapterFolder))
            throw new CheckpointException(Path.Combine(adapterFolder, LoraFiles.ConfigFileName), "file not found: not a LoRA adapter folder");
        // A reward or value model's adapter holds its score head (modules_to_save ["score"]): the base, an LM or a
        // reward model, is loaded as a reward model and the adapter's head replaces whatever head it has.
        using IDecoderModel model = LoraFiles.ReadModulesToSave(adapterFolder).Contains(LoraAdapter.ScoreHead)
            ? ModelLoader.LoadRewardModel(baseFolder, initScoreIfMissing: true)
            : ModelLoader.LoadLanguageModel(baseFolder);
        var adapter = LoraAdapter.Load(model.Module, model.ModelType, adapterFolder);
        adapter.MergeIntoBase();
        ModelSaver.Save(model, baseFolder, outFolder);
    }
}
