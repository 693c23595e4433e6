using Rlhf.Training.Models;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Saves a trained causal LM of any family in the Hugging Face layout, next to what its source folder held besides the
/// weights: GPT-2 through <see cref="Gpt2Checkpoint.Save(Gpt2LMHeadModel, string)"/>; a Llama-family model as one
/// float32 model.safetensors with its state-dict names and the source's config.json. The tokenizer and generation files
/// of the source (tokenizer.json, tokenizer_config.json, special_tokens_map.json, chat_template.jinja, vocab.json,
/// merges.txt, generation_config.json) are copied, so the folder loads with <see cref="ModelLoader"/> and
/// <see cref="Text.ModelTokenizer"/> alone.
/// </summary>
public static class LanguageModelCheckpoint
{
    private static readonly string[] CompanionFiles =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "vocab.json", "merges.txt",
        ModelLoader.GenerationConfigFileName,
    ];

    public static void Save(ICausalLanguageModel model, string sourceFolder, string outFolder)
    {
        Directory.CreateDirectory(outFolder);
        if (model is Gpt2LMHeadModel gpt2) Gpt2Checkpoint.Save(gpt2, outFolder);
        else
        {
            SafeTensorsFile.Write(Path.Combine(outFolder, Gpt2Checkpoint.WeightsFileName), Gpt2Checkpoint.ToHuggingFaceTensors(model.Module));
            File.Copy(Path.Combine(sourceFolder, ModelLoader.ConfigFileName), Path.Combine(outFolder, ModelLoader.ConfigFileName), overwrite: true);
        }
        foreach (var name in CompanionFiles)
        {
            var source = Path.Combine(sourceFolder, name);
            if (File.Exists(source)) File.Copy(source, Path.Combine(outFolder, name), overwrite: true);
        }
    }
}
