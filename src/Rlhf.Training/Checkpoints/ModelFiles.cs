using Rlhf.Training.Text;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The files of a Hugging Face model folder the platform keeps together: config.json, the weights (model.safetensors,
/// or model.safetensors.index.json and every shard it names), generation_config.json, and the tokenizer
/// (tokenizer.json, tokenizer_config.json, special_tokens_map.json, chat_template.jinja, GPT-2's vocab.json/merges.txt)
/// when present. Used to copy a checkpoint into the registry and to save a trained model with its tokenizer.
/// </summary>
public static class ModelFiles
{
    /// <summary>Tokenizer and generation files copied along with a model when they exist.</summary>
    public static readonly IReadOnlyList<string> Companions =
    [
        ModelLoader.GenerationConfigFileName, HfTokenizer.FileName, TokenizerConfig.FileName, TokenizerConfig.TemplateFileName,
        "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt",
    ];

    /// <summary>Every file of the checkpoint in <paramref name="folder"/>, as names relative to it (config and weights first).</summary>
    public static IReadOnlyList<string> Of(string folder)
    {
        var files = new List<string> { ModelLoader.ConfigFileName };
        if (!File.Exists(Path.Combine(folder, CheckpointWeights.SingleFileName))) files.Add(CheckpointWeights.IndexFileName);
        using (var weights = CheckpointWeights.Open(folder))
            files.AddRange(weights.Files.Select(Path.GetFileName).Distinct()!);
        files.AddRange(Companions.Where(name => File.Exists(Path.Combine(folder, name))));
        return files;
    }

    /// <summary>Copies the <see cref="Companions"/> that <paramref name="source"/> has into <paramref name="target"/> (overwriting).</summary>
    public static void CopyCompanions(string source, string target)
    {
        if (Path.GetFullPath(source) == Path.GetFullPath(target)) return;
        Directory.CreateDirectory(target);
        foreach (var name in Companions.Where(name => File.Exists(Path.Combine(source, name))))
            File.Copy(Path.Combine(source, name), Path.Combine(target, name), overwrite: true);
    }
}
