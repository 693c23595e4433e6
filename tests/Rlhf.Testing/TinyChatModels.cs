using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Testing;

/// <summary>
/// Tiny random Llama-family checkpoints with a real tokenizer and chat template (the committed Qwen3 and Llama 3
/// tokenizer files), written as the Hub ships them (config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
/// generation_config.json): for runs, generation and imports of non-GPT-2 models end to end. Seeded: the same call
/// writes the same weights.
/// </summary>
public static class TinyChatModels
{
    public const int Qwen3ImEnd = 151645;        // <|im_end|>
    public const int Qwen3EndOfText = 151643;    // <|endoftext|>
    public const int Llama3EndOfText = 128001;   // <|end_of_text|>
    public const int Llama3EndOfTurn = 128009;   // <|eot_id|>

    /// <summary>The committed tokenizer files of "qwen3" or "llama3".</summary>
    public static string TokenizerFolder(string family) => Path.Combine(AppContext.BaseDirectory, "ChatTokenizers", family);

    /// <summary>
    /// llama-tiny's shapes (2 layers, hidden 32, 4 heads, 2 kv heads, head_dim 8, tied) with Llama 3's tokenizer and
    /// vocabulary (128256), eos ids [&lt;|end_of_text|&gt;, &lt;|eot_id|&gt;].
    /// </summary>
    public static string Llama(string folder, long seed = 1) => Write(folder, "llama3", seed, new JsonObject
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"), ["model_type"] = "llama", ["vocab_size"] = 128256,
        ["hidden_size"] = 32, ["intermediate_size"] = 96, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4,
        ["num_key_value_heads"] = 2, ["head_dim"] = 8, ["hidden_act"] = "silu", ["max_position_embeddings"] = 256,
        ["rms_norm_eps"] = 1e-6, ["rope_theta"] = 10000.0, ["tie_word_embeddings"] = true, ["torch_dtype"] = "float32",
        ["bos_token_id"] = 128000, ["eos_token_id"] = new JsonArray(Llama3EndOfText, Llama3EndOfTurn),
    }, generationEos: null, likelyToken: null);

    /// <summary>
    /// Qwen3's shapes shrunk (1 layer, hidden 16, 2 heads, 1 kv head, head_dim 8, q/k norm, untied) with Qwen3's
    /// tokenizer and vocabulary (151936); generation_config eos [&lt;|im_end|&gt;, &lt;|endoftext|&gt;]. With
    /// <paramref name="likelyToken"/>, that token's lm_head row reads a constant direction every hidden state carries, so
    /// it comes out about half the time at temperature 1 (e.g. <see cref="Qwen3ImEnd"/>: replies end after a few tokens).
    /// </summary>
    public static string Qwen3(string folder, long seed = 1, int? likelyToken = null) => Write(folder, "qwen3", seed, new JsonObject
    {
        ["architectures"] = new JsonArray("Qwen3ForCausalLM"), ["model_type"] = "qwen3", ["vocab_size"] = 151936,
        ["hidden_size"] = 16, ["intermediate_size"] = 32, ["num_hidden_layers"] = 1, ["num_attention_heads"] = 2,
        ["num_key_value_heads"] = 1, ["head_dim"] = 8, ["hidden_act"] = "silu", ["max_position_embeddings"] = 512,
        ["rms_norm_eps"] = 1e-6, ["rope_theta"] = 1000000.0, ["tie_word_embeddings"] = false, ["torch_dtype"] = "bfloat16",
        ["bos_token_id"] = Qwen3EndOfText, ["eos_token_id"] = Qwen3ImEnd,
    }, generationEos: [Qwen3ImEnd, Qwen3EndOfText], likelyToken);

    private static string Write(string folder, string tokenizer, long seed, JsonObject config, int[]? generationEos, int? likelyToken)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ModelLoader.ConfigFileName), config.ToJsonString());
        if (generationEos is not null)
            File.WriteAllText(Path.Combine(folder, ModelLoader.GenerationConfigFileName),
                new JsonObject { ["eos_token_id"] = new JsonArray([.. generationEos.Select(id => (JsonNode)id)]) }.ToJsonString());
        foreach (var file in Directory.GetFiles(TokenizerFolder(tokenizer)))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);

        random.manual_seed(seed);
        using var model = new LlamaForCausalLM(LlamaConfig.Load(Path.Combine(folder, ModelLoader.ConfigFileName)));
        if (likelyToken is int token) MakeLikely(model, token);
        ModelSaver.Save(model, folder, folder);
        return folder;
    }

    /// <summary>Every embedding gets +8 on dimension 0 (so every final hidden state points that way), and lm_head's row of the token reads it.</summary>
    private static void MakeLikely(LlamaForCausalLM model, int token)
    {
        using var noGrad = no_grad();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        parameters["model.embed_tokens.weight"][TensorIndex.Colon, 0].add_(8.0);
        parameters["lm_head.weight"][token].zero_();
        parameters["lm_head.weight"][token, 0].fill_(3.0);   // hidden[0] ≈ sqrt(16) = 4 after RMSNorm: logit ≈ 12 ≈ ln(vocab)
    }
}
