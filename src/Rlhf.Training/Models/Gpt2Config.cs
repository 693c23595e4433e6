using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Rlhf.Training.Models.ConfigJson;
using Rlhf.Training.Checkpoints;

namespace Rlhf.Training.Models;

/// <summary>
/// The Hugging Face GPT-2 config.json (transformers' GPT2Config), with the HF key names.
/// Unknown keys are kept in <see cref="Extra"/> and written back by <see cref="ToJson"/>.
/// </summary>
public sealed record Gpt2Config
{
    public const int EndOfTextTokenId = 50256;
    public const string LmArchitecture = "GPT2LMHeadModel";
    public const string RewardArchitecture = "GPT2ForSequenceClassification";

    // Keys this type reads and writes itself; everything else goes to Extra.
    private static readonly HashSet<string> KnownKeys =
    [
        "model_type", "vocab_size", "n_vocab", "n_positions", "n_embd", "n_layer", "n_head", "n_inner",
        "layer_norm_epsilon", "activation_function", "bos_token_id", "eos_token_id", "pad_token_id",
        "architectures", "num_labels", "id2label", "label2id", "tie_word_embeddings",
        "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn",
    ];

    public int VocabSize { get; init; } = 50257;       // vocab_size (alias n_vocab)
    public int NPositions { get; init; } = 1024;       // n_positions (falls back to n_ctx)
    public int NEmbd { get; init; } = 768;             // n_embd
    public int NLayer { get; init; } = 12;             // n_layer
    public int NHead { get; init; } = 12;              // n_head
    public int? NInner { get; init; }                  // n_inner (null = 4 * n_embd)
    public double LayerNormEpsilon { get; init; } = 1e-5;
    public string ActivationFunction { get; init; } = "gelu_new";
    public int BosTokenId { get; init; } = EndOfTextTokenId;
    public int EosTokenId { get; init; } = EndOfTextTokenId;
    public int? PadTokenId { get; init; }
    public IReadOnlyList<string> Architectures { get; init; } = [LmArchitecture];
    public int NumLabels { get; init; } = 1;

    /// <summary>Keys of config.json this type does not interpret (dropouts, n_ctx, task params...).</summary>
    public JsonObject Extra { get; init; } = new();

    public int InnerDim => NInner ?? 4 * NEmbd;
    public int HeadDim => NEmbd / NHead;

    /// <summary>The pad id used for batching and for finding the last real token: pad_token_id, else eos.</summary>
    public int EffectivePadTokenId => PadTokenId ?? EosTokenId;

    /// <summary>Reads a config.json; errors are <see cref="CheckpointException"/>s naming the file and key.</summary>
    public static Gpt2Config Load(string path)
    {
        return Parse(ConfigJson.ReadFile(path), path);
    }

    /// <summary>Parses config.json text; <paramref name="source"/> names the file in error messages.</summary>
    public static Gpt2Config Parse(string json, string source = "config.json")
    {
        var obj = ConfigJson.ParseObject(json, source);

        var modelType = obj["model_type"] is JsonValue mt && mt.TryGetValue<string>(out var s) ? s : null;
        if (modelType is null) throw new CheckpointException(source, "model_type is missing, expected \"gpt2\"");
        if (modelType != "gpt2") throw new CheckpointException(source, $"model_type is \"{modelType}\", expected \"gpt2\"");

        var extra = new JsonObject();
        foreach (var (key, value) in obj)
            if (!KnownKeys.Contains(key)) extra[key] = value?.DeepClone();

        var nPositions = GetInt(obj, "n_positions", source) ?? GetInt(obj, "n_ctx", source) ?? 1024;
        var config = new Gpt2Config
        {
            VocabSize = GetInt(obj, "vocab_size", source) ?? GetInt(obj, "n_vocab", source) ?? 50257,
            NPositions = nPositions,
            NEmbd = GetInt(obj, "n_embd", source) ?? 768,
            NLayer = GetInt(obj, "n_layer", source) ?? 12,
            NHead = GetInt(obj, "n_head", source) ?? 12,
            NInner = GetInt(obj, "n_inner", source),
            LayerNormEpsilon = GetDouble(obj, "layer_norm_epsilon", source) ?? 1e-5,
            ActivationFunction = GetString(obj, "activation_function", source) ?? "gelu_new",
            BosTokenId = GetInt(obj, "bos_token_id", source) ?? EndOfTextTokenId,
            EosTokenId = GetInt(obj, "eos_token_id", source) ?? EndOfTextTokenId,
            PadTokenId = GetInt(obj, "pad_token_id", source),
            Architectures = GetStrings(obj, "architectures", source) ?? [LmArchitecture],
            NumLabels = GetInt(obj, "num_labels", source) ?? (obj["id2label"] as JsonObject)?.Count ?? 1,
            Extra = extra,
        };

        if (obj["tie_word_embeddings"] is JsonValue tie && tie.TryGetValue<bool>(out var tied) && !tied)
            throw new CheckpointException(source, "tie_word_embeddings is false; only tied GPT-2 heads are supported");
        if (obj["scale_attn_by_inverse_layer_idx"] is JsonValue sc && sc.TryGetValue<bool>(out var scb) && scb)
            throw new CheckpointException(source, "scale_attn_by_inverse_layer_idx is true; not supported");
        config.Validate(source);
        return config;
    }

    /// <summary>Checks the sizes fit together; throws a <see cref="CheckpointException"/> naming the key.</summary>
    public void Validate(string source = "config.json")
    {
        void Positive(int value, string key)
        {
            if (value <= 0) throw new CheckpointException(source, $"{key} is {value}, expected a positive integer");
        }
        Positive(VocabSize, "vocab_size");
        Positive(NPositions, "n_positions");
        Positive(NEmbd, "n_embd");
        Positive(NLayer, "n_layer");
        Positive(NHead, "n_head");
        if (NInner is int inner) Positive(inner, "n_inner");
        if (NEmbd % NHead != 0)
            throw new CheckpointException(source, $"n_embd ({NEmbd}) is not divisible by n_head ({NHead})");
        if (ActivationFunction is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw new CheckpointException(source, $"activation_function is \"{ActivationFunction}\", expected \"gelu_new\"");
        if (!(LayerNormEpsilon > 0))
            throw new CheckpointException(source, $"layer_norm_epsilon is {LayerNormEpsilon.ToString(CultureInfo.InvariantCulture)}, expected a positive number");
    }

    /// <summary>
    /// The config.json Hugging Face transformers loads: model_type gpt2, the architecture given,
    /// tied embeddings, pad_token_id (50256 unless set) and, for the reward model, num_labels 1 with
    /// id2label/label2id. Keys kept in <see cref="Extra"/> are written too.
    /// </summary>
    public JsonObject ToJson(string architecture)
    {
        if (architecture is not (LmArchitecture or RewardArchitecture))
            throw new ArgumentException($"architecture must be {LmArchitecture} or {RewardArchitecture}", nameof(architecture));

        var obj = new JsonObject
        {
            ["model_type"] = "gpt2",
            ["architectures"] = new JsonArray(architecture),
            ["vocab_size"] = VocabSize,
            ["n_positions"] = NPositions,
            ["n_embd"] = NEmbd,
            ["n_layer"] = NLayer,
            ["n_head"] = NHead,
            ["n_inner"] = NInner,
            ["activation_function"] = ActivationFunction,
            ["layer_norm_epsilon"] = LayerNormEpsilon,
            ["bos_token_id"] = BosTokenId,
            ["eos_token_id"] = EosTokenId,
            ["pad_token_id"] = EffectivePadTokenId,
            ["tie_word_embeddings"] = true,
        };
        if (architecture == RewardArchitecture)
        {
            obj["num_labels"] = 1;
            obj["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
            obj["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        }
        foreach (var (key, value) in Extra)
            if (!obj.ContainsKey(key)) obj[key] = value?.DeepClone();
        return obj;
    }

    /// <summary>Writes <see cref="ToJson"/> (indented) to <paramref name="path"/>.</summary>
    public void Save(string path, string architecture)
    {
        var json = ToJson(architecture).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(path, json + "\n");
    }
}
