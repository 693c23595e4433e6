using Rlhf.Training.Models;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Saves a causal LM of any supported family in the Hugging Face layout, next to the files of the folder it was loaded
/// from that a model folder needs besides its weights (tokenizer, chat template, generation config), so the saved folder
/// loads with <see cref="ModelLoader"/> and <see cref="Text.ModelTokenizer"/> like its base. GPT-2:
/// <see cref="Gpt2Checkpoint.Save(Gpt2LMHeadModel, string)"/>; Llama/Qwen: the base's config.json and model.safetensors
/// with the state-dict names, float32.
/// </summary>
public static class LanguageModelCheckpoint
{
    /// <summary>The files of a model folder that are not its weights or config.json, copied when present.</summary>
    public static readonly IReadOnlyList<string> CompanionFiles =
    [
        ModelLoader.GenerationConfigFileName, "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "vocab.json", "merges.txt", "added_tokens.json", "chat_template.jinja",
    ];

    public static void Save(ICausalLanguageModel model, string baseFolder, string outFolder)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(outFolder);
        if (model is Gpt2LMHeadModel gpt2) Gpt2Checkpoint.Save(gpt2, outFolder);
        else
        {
            var tensors = new List<SafeTensor>();
            using (no_grad())
            {
                foreach (var (name, p) in model.Module.named_parameters())
                {
                    using var t = p.detach().to(ScalarType.Float32, CPU).contiguous();
                    tensors.Add(new SafeTensor(name, "F32", t.shape, t.data<float>().ToArray()));
                }
            }
            SafeTensorsFile.Write(Path.Combine(outFolder, "model.safetensors"), tensors);
            File.Copy(Path.Combine(baseFolder, ModelLoader.ConfigFileName), Path.Combine(outFolder, ModelLoader.ConfigFileName), overwrite: true);
        }
        CopyCompanionFiles(baseFolder, outFolder);
    }

    /// <summary>Copies <see cref="CompanionFiles"/> that <paramref name="fromFolder"/> has into <paramref name="toFolder"/>.</summary>
    public static void CopyCompanionFiles(string fromFolder, string toFolder)
    {
        if (Path.GetFullPath(fromFolder) == Path.GetFullPath(toFolder)) return;
        foreach (var file in CompanionFiles)
        {
            var source = Path.Combine(fromFolder, file);
            if (File.Exists(source)) File.Copy(source, Path.Combine(toFolder, file), overwrite: true);
        }
    }
}
