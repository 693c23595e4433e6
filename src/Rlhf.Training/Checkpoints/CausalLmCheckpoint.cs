using Rlhf.Training.Models;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Saves a causal LM of any family in the Hugging Face layout, next to the files of the folder it was loaded from: a
/// GPT-2 model through <see cref="Gpt2Checkpoint.Save(Gpt2LMHeadModel, string)"/>; a Llama-family model as
/// model.safetensors (float32, its state-dict names, which are Hugging Face's) with the source's config.json. Either way
/// the source's tokenizer and generation files (tokenizer.json, tokenizer_config.json, generation_config.json, ...) are
/// copied, so <see cref="ModelLoader"/> and <see cref="Text.ModelTokenizer"/> read the saved folder as they read the source.
/// </summary>
public static class CausalLmCheckpoint
{
    private static readonly string[] SideFileExtensions = [".json", ".txt", ".model", ".jinja"];

    public static void Save(ICausalLanguageModel model, string sourceFolder, string folder)
    {
        Directory.CreateDirectory(folder);
        if (model is Gpt2LMHeadModel gpt2)
        {
            Gpt2Checkpoint.Save(gpt2, folder);
        }
        else
        {
            SafeTensorsFile.Write(Path.Combine(folder, Gpt2Checkpoint.WeightsFileName), Gpt2Checkpoint.ToHuggingFaceTensors(model.Module));
            File.Copy(Path.Combine(sourceFolder, ModelLoader.ConfigFileName), Path.Combine(folder, ModelLoader.ConfigFileName), overwrite: true);
        }
        foreach (var file in Directory.EnumerateFiles(sourceFolder))
        {
            var name = Path.GetFileName(file);
            if (name == ModelLoader.ConfigFileName || name.EndsWith(".index.json", StringComparison.Ordinal)) continue;
            if (!SideFileExtensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase)) continue;
            File.Copy(file, Path.Combine(folder, name), overwrite: true);
        }
    }
}
