using Rlhf.Training.Checkpoints;

namespace Rlhf.Training.Lora;

/// <summary>
/// PEFT's merge_and_unload on folders: the base model with the adapter's scaling * B A added to each adapted weight,
/// saved as a full model (HF layout, with the base's tokenizer files). Its logits equal the base with the adapter
/// applied at run time.
/// </summary>
public static class LoraMerge
{
    public static void Merge(string baseFolder, string adapterFolder, string outFolder)
    {
        if (!LoraFiles.IsAdapter(adapterFolder))
            throw new CheckpointException(Path.Combine(adapterFolder, LoraFiles.ConfigFileName), "file not found: not a LoRA adapter folder");
        using var model = ModelLoader.LoadLanguageModel(baseFolder);
        var adapter = LoraAdapter.Load(model.Module, model.ModelType, adapterFolder);
        adapter.MergeIntoBase();
        ModelSaver.Save(model, baseFolder, outFolder);
    }
}
