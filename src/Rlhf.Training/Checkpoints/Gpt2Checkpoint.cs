using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Loads and saves GPT-2 checkpoints in the Hugging Face layout: a folder with config.json and
/// model.safetensors.
/// <para>
/// Loading accepts keys with or without the "transformer." prefix, F32/F16/BF16 data, Conv1D weights
/// stored [in, out] (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj; transposed into Linear [out, in]),
/// and ignores the attn.bias / attn.masked_bias buffers, lm_head.weight (tied to wte) and any other
/// key the model has no parameter for.
/// </para>
/// <para>
/// Saving writes what transformers' save_pretrained writes: float32 "transformer.*" keys with Conv1D
/// [in, out] shapes, no lm_head.weight (tied, so HF drops it), plus "score.weight" [1, n_embd] for the
/// reward model; and a config.json with architectures GPT2LMHeadModel or GPT2ForSequenceClassification.
/// </para>
/// Every error is a <see cref="CheckpointException"/> with a one-line message naming the file and key.
/// </summary>
public static class Gpt2Checkpoint
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "model.safetensors";
    public const string BackbonePrefix = "transformer.";

    private static readonly string[] Conv1DSuffixes =
        [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    /// <summary>True for the weights HF stores as Conv1D [in, out].</summary>
    public static bool IsConv1DWeight(string name) => Conv1DSuffixes.Any(name.EndsWith);

    /// <summary>Reads and validates folder/config.json.</summary>
    public static Gpt2Config LoadConfig(string folder)
    {
        CheckFolder(folder);
        return Gpt2Config.Load(Path.Combine(folder, ConfigFileName));
    }

    /// <summary>Loads a GPT2LMHeadModel (any GPT-2 checkpoint: LM or reward, its backbone is used).</summary>
    public static Gpt2LMHeadModel LoadLanguageModel(string folder)
    {
        var config = LoadConfig(folder);
        var weights = ReadWeights(folder, config, withScore: false, scoreMayBeMissing: false);
        return ModelFilling.Fill(new Gpt2LMHeadModel(config), model => LoadParameters(model, weights, allowMissing: _ => false));
    }

    /// <summary>
    /// Loads a GPT2ForSequenceClassification. When the checkpoint has no score.weight (a policy
    /// checkpoint) and <paramref name="initScoreIfMissing"/> is true, the head is initialised
    /// N(0, 1/sqrt(n_embd + 1)) from <paramref name="generator"/>; otherwise that is an error.
    /// </summary>
    public static Gpt2ForSequenceClassification LoadRewardModel(string folder, bool initScoreIfMissing = false, Generator? generator = null)
    {
        var config = LoadConfig(folder);
        var weights = ReadWeights(folder, config, withScore: true, scoreMayBeMissing: initScoreIfMissing);
        return ModelFilling.Fill(new Gpt2ForSequenceClassification(config with { PadTokenId = config.EffectivePadTokenId }), model =>
        {
            var missing = LoadParameters(model, weights, allowMissing: name => initScoreIfMissing && name == "score.weight");
            if (missing.Contains("score.weight"))
                InitScoreHead(model, generator);
        });
    }

    /// <summary>Sets score.weight ~ N(0, 1/sqrt(n_embd + 1)).</summary>
    public static void InitScoreHead(Gpt2ForSequenceClassification model, Generator? generator = null)
        => ModelFilling.InitScoreHead(model.ScoreWeight, model.Config.NEmbd, generator);

    /// <summary>Saves config.json (GPT2LMHeadModel) and model.safetensors (transformer.* keys, no lm_head).</summary>
    public static void Save(Gpt2LMHeadModel model, string folder)
        => Save(model, model.Config, Gpt2Config.LmArchitecture, folder);

    /// <summary>Saves config.json (GPT2ForSequenceClassification, num_labels 1) and model.safetensors (transformer.* + score.weight).</summary>
    public static void Save(Gpt2ForSequenceClassification model, string folder)
        => Save(model, model.Config, Gpt2Config.RewardArchitecture, folder);

    /// <summary>The tensors <see cref="Save(Gpt2LMHeadModel, string)"/> writes: HF names and on-disk shapes, float32.</summary>
    public static IReadOnlyList<SafeTensor> ToHuggingFaceTensors(nn.Module model)
    {
        var result = new List<SafeTensor>();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var scope = NewDisposeScope();
            var t = parameter.detach().to(ScalarType.Float32, CPU);
            if (IsConv1DWeight(name)) t = t.t();                            // Linear [out, in] -> Conv1D [in, out]
            t = t.contiguous();
            result.Add(new SafeTensor(name, "F32", t.shape.ToArray(), t.data<float>().ToArray()));
        }
        return result;
    }

    private static void Save(nn.Module model, Gpt2Config config, string architecture, string folder)
    {
        Directory.CreateDirectory(folder);
        var tensors = ToHuggingFaceTensors(model);
        SafeTensorsFile.Write(Path.Combine(folder, WeightsFileName), tensors);
        config.Save(Path.Combine(folder, ConfigFileName), architecture);
    }

    private static void CheckFolder(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new CheckpointException("(no folder)", "no model folder given");
        if (!Directory.Exists(folder)) throw new CheckpointException(folder, "model folder not found");
    }

    /// <summary>
    /// Reads model.safetensors once its header is checked (offsets, sizes) and every tensor the config needs is in it
    /// with the config's shape: nothing the size of the model is allocated before the config and the weights agree.
    /// </summary>
    private static SafeTensorsFile ReadWeights(string folder, Gpt2Config config, bool withScore, bool scoreMayBeMissing)
    {
        var path = Path.Combine(folder, WeightsFileName);
        if (!File.Exists(path)) throw new CheckpointException(path, "file not found");
        Gpt2CheckpointLayout.CheckFits(config, SafeTensorsHeader.Read(path), path, withScore, scoreMayBeMissing);
        return SafeTensorsFile.Read(path);
    }

    /// <summary>
    /// Copies every parameter of <paramref name="model"/> from <paramref name="file"/>. Returns the
    /// names that were missing and allowed to be.
    /// </summary>
    private static HashSet<string> LoadParameters(nn.Module model, SafeTensorsFile file, Func<string, bool> allowMissing)
    {
        var missing = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var key = FindKey(file, name);
            if (key is null)
            {
                if (allowMissing(name)) { missing.Add(name); continue; }
                throw new CheckpointException(file.Path, $"{name} is missing");
            }

            var tensor = file.Tensors[key];
            var conv1D = IsConv1DWeight(name);
            var expected = conv1D ? parameter.shape.Reverse().ToArray() : parameter.shape;   // on-disk shape
            if (!tensor.Shape.SequenceEqual(expected))
                throw new CheckpointException(file.Path,
                    $"{key} has shape {SafeTensor.FormatShape(tensor.Shape)}, expected {SafeTensor.FormatShape(expected)}");

            using var scope = NewDisposeScope();
            var source = torch.tensor(tensor.Data, tensor.Shape, dtype: ScalarType.Float32);
            if (conv1D) source = source.t();                                    // Conv1D [in, out] -> Linear [out, in]
            parameter.copy_(source.to(parameter.dtype, parameter.device));
        }
        return missing;
    }

    /// <summary>The key of <paramref name="name"/> in the file: as is, or without "transformer.".</summary>
    private static string? FindKey(SafeTensorsFile file, string name) => FindKey(file.Tensors.ContainsKey, name);

    /// <summary>The key of <paramref name="name"/> among the keys <paramref name="has"/> knows: as is, or without "transformer.".</summary>
    internal static string? FindKey(Func<string, bool> has, string name)
    {
        if (has(name)) return name;
        if (name.StartsWith(BackbonePrefix, StringComparison.Ordinal))
        {
            var bare = name[BackbonePrefix.Length..];
            if (has(bare)) return bare;
        }
        return null;
    }
}
