using System.Globalization;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using static Rlhf.Training.Models.ConfigJson;

namespace Rlhf.Training.Models;

/// <summary>
/// The config.json of a Llama-family checkpoint (transformers' LlamaConfig, Qwen2Config, Qwen3Config), with
/// the HF key names and defaults. model_type picks the variant: "qwen2" has q/k/v biases (no o_proj bias),
/// "qwen3" has per-head q_norm/k_norm, "llama" has attention_bias on all four projections.
/// Anything this decoder cannot compute the way transformers does (another model_type, rope_scaling type,
/// hidden_act, Qwen2 sliding window) is refused with a <see cref="CheckpointException"/> naming the key and value.
/// </summary>
public sealed record LlamaConfig
{
    public static readonly IReadOnlyList<string> ModelTypes = ["llama", "qwen2", "qwen3"];

    public string ModelType { get; init; } = "llama";                 // model_type
    public int VocabSize { get; init; } = 32000;                      // vocab_size
    public int HiddenSize { get; init; } = 4096;                      // hidden_size
    public int IntermediateSize { get; init; } = 11008;               // intermediate_size
    public int NumHiddenLayers { get; init; } = 32;                   // num_hidden_layers
    public int NumAttentionHeads { get; init; } = 32;                 // num_attention_heads
    public int NumKeyValueHeads { get; init; } = 32;                  // num_key_value_heads (default: num_attention_heads)
    public int HeadDim { get; init; } = 128;                          // head_dim (default: hidden_size / num_attention_heads)
    public string HiddenAct { get; init; } = "silu";                  // hidden_act
    public int MaxPositionEmbeddings { get; init; } = 2048;           // max_position_embeddings
    public double RmsNormEps { get; init; } = 1e-6;                   // rms_norm_eps
    public double RopeTheta { get; init; } = 10000.0;                 // rope_theta
    public LlamaRopeScaling? RopeScaling { get; init; }               // rope_scaling (null = plain rope)
    public bool TieWordEmbeddings { get; init; }                      // tie_word_embeddings
    public bool AttentionBias { get; init; }                          // attention_bias (llama: q, k, v, o)
    public bool MlpBias { get; init; }                                // mlp_bias (llama)
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];        // eos_token_id: an int or a list
    public int? PadTokenId { get; init; }
    public IReadOnlyList<string> Architectures { get; init; } = [];
    public int NumLabels { get; init; } = 1;

    /// <summary>Qwen2: q_proj, k_proj, v_proj have biases whatever attention_bias says; o_proj has none.</summary>
    public bool QkvBias => ModelType == "qwen2" || AttentionBias;

    public bool OutputBias => ModelType != "qwen2" && AttentionBias;

    /// <summary>Qwen3: RMSNorm over head_dim on every query and key head, before rope.</summary>
    public bool QkNorm => ModelType == "qwen3";

    /// <summary>pad_token_id, else the first eos id, else 0.</summary>
    public int EffectivePadTokenId => PadTokenId ?? (EosTokenIds.Count > 0 ? EosTokenIds[0] : 0);

    public static LlamaConfig Load(string path) => Parse(ReadFile(path), path);

    /// <summary>Parses config.json text; <paramref name="source"/> names the file in error messages.</summary>
    public static LlamaConfig Parse(string json, string source = "config.json")
    {
        var obj = ParseObject(json, source);
        var modelType = GetString(obj, "model_type", source)
            ?? throw new CheckpointException(source, "model_type is missing, expected llama, qwen2 or qwen3");
        if (!ModelTypes.Contains(modelType))
            throw new CheckpointException(source, $"model_type is \"{modelType}\", expected llama, qwen2 or qwen3");
        if (modelType == "qwen2" && GetBool(obj, "use_sliding_window", source) == true)
            throw new CheckpointException(source, "use_sliding_window is true; sliding-window attention is not supported");

        var hidden = GetInt(obj, "hidden_size", source) ?? 4096;
        var heads = GetInt(obj, "num_attention_heads", source) ?? 32;
        // transformers >= 5 moves rope_theta and the scaling into rope_parameters.
        var ropeParameters = obj["rope_parameters"] as JsonObject;
        var config = new LlamaConfig
        {
            ModelType = modelType,
            VocabSize = GetInt(obj, "vocab_size", source) ?? 32000,
            HiddenSize = hidden,
            IntermediateSize = GetInt(obj, "intermediate_size", source) ?? 11008,
            NumHiddenLayers = GetInt(obj, "num_hidden_layers", source) ?? 32,
            NumAttentionHeads = heads,
            NumKeyValueHeads = GetInt(obj, "num_key_value_heads", source) ?? heads,
            HeadDim = GetInt(obj, "head_dim", source) ?? (heads > 0 ? hidden / heads : 0),
            HiddenAct = GetString(obj, "hidden_act", source) ?? "silu",
            MaxPositionEmbeddings = GetInt(obj, "max_position_embeddings", source) ?? 2048,
            RmsNormEps = GetDouble(obj, "rms_norm_eps", source) ?? 1e-6,
            RopeTheta = GetDouble(obj, "rope_theta", source)
                ?? (ropeParameters is null ? null : GetDouble(ropeParameters, "rope_theta", source)) ?? 10000.0,
            RopeScaling = ParseRopeScaling(obj["rope_scaling"] as JsonObject ?? ropeParameters, source),
            TieWordEmbeddings = GetBool(obj, "tie_word_embeddings", source) ?? false,
            AttentionBias = GetBool(obj, "attention_bias", source) ?? false,
            MlpBias = GetBool(obj, "mlp_bias", source) ?? false,
            BosTokenId = GetInt(obj, "bos_token_id", source),
            EosTokenIds = GetIntOrInts(obj, "eos_token_id", source) ?? [],
            PadTokenId = GetInt(obj, "pad_token_id", source),
            Architectures = GetStrings(obj, "architectures", source) ?? [],
            NumLabels = GetInt(obj, "num_labels", source) ?? (obj["id2label"] as JsonObject)?.Count ?? 1,
        };
        config.Validate(source);
        return config;
    }

    /// <summary>Checks the sizes fit together and every choice is one this decoder computes.</summary>
    public void Validate(string source = "config.json")
    {
        void Positive(int value, string key)
        {
            if (value <= 0) throw new CheckpointException(source, $"{key} is {value}, expected a positive integer");
        }
        if (!ModelTypes.Contains(ModelType))
            throw new CheckpointException(source, $"model_type is \"{ModelType}\", expected llama, qwen2 or qwen3");
        Positive(VocabSize, "vocab_size");
        Positive(HiddenSize, "hidden_size");
        Positive(IntermediateSize, "intermediate_size");
        Positive(NumHiddenLayers, "num_hidden_layers");
        Positive(NumAttentionHeads, "num_attention_heads");
        Positive(NumKeyValueHeads, "num_key_value_heads");
        Positive(HeadDim, "head_dim");
        Positive(MaxPositionEmbeddings, "max_position_embeddings");
        if (HeadDim % 2 != 0) throw new CheckpointException(source, $"head_dim is {HeadDim}, expected an even number (rotary embeddings)");
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new CheckpointException(source, $"num_attention_heads ({NumAttentionHeads}) is not a multiple of num_key_value_heads ({NumKeyValueHeads})");
        if (HiddenAct is not ("silu" or "swish"))
            throw new CheckpointException(source, $"hidden_act is \"{HiddenAct}\", expected \"silu\"");
        if (!(RmsNormEps > 0))
            throw new CheckpointException(source, $"rms_norm_eps is {RmsNormEps.ToString(CultureInfo.InvariantCulture)}, expected a positive number");
        if (!(RopeTheta > 0))
            throw new CheckpointException(source, $"rope_theta is {RopeTheta.ToString(CultureInfo.InvariantCulture)}, expected a positive number");
    }

    /// <summary>rope_scaling: null, rope_type "default" (plain rope) or "llama3"; any other type is refused.</summary>
    private static LlamaRopeScaling? ParseRopeScaling(JsonObject? scaling, string source)
    {
        if (scaling is null) return null;
        var type = GetString(scaling, "rope_type", source) ?? GetString(scaling, "type", source) ?? "default";
        if (type == "default") return null;
        if (type != "llama3")
            throw new CheckpointException(source, $"rope_scaling.rope_type is \"{type}\", expected \"llama3\" (or no rope_scaling)");
        double Required(string key) => GetDouble(scaling, key, source)
            ?? throw new CheckpointException(source, $"rope_scaling.{key} is missing (rope_type \"llama3\")");
        var result = new LlamaRopeScaling(Required("factor"), Required("low_freq_factor"), Required("high_freq_factor"),
            GetInt(scaling, "original_max_position_embeddings", source)
            ?? throw new CheckpointException(source, "rope_scaling.original_max_position_embeddings is missing (rope_type \"llama3\")"));
        if (!(result.Factor > 0) || !(result.HighFreqFactor > result.LowFreqFactor) || !(result.LowFreqFactor > 0) || result.OriginalMaxPositionEmbeddings <= 0)
            throw new CheckpointException(source, $"rope_scaling is {OneLine(scaling.ToJsonString())}, expected factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0");
        return result;
    }
}
