using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;

namespace Rlhf.Training.Tests.Models;

/// <summary>What the Llama-family decoder cannot compute as transformers does is refused with one line naming the key and value.</summary>
public class LlamaConfigRefusalTests
{
    public LlamaConfigRefusalTests() => TorchThreads.EnsureConfigured();

    /// <summary>llama-tiny with one config.json key changed; loading it through <see cref="ModelLoader"/> must fail.</summary>
    private static CheckpointException LoadWith(string key, JsonNode value)
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(LlamaFixtureCase.Folder("llama-tiny"));
        var configPath = Path.Combine(folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config[key] = value;
        File.WriteAllText(configPath, config.ToJsonString());
        var e = Assert.Throws<CheckpointException>(() => ModelLoader.LoadLanguageModel(folder));
        Assert.StartsWith(configPath + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Unknown_model_type_is_refused()
    {
        var e = LoadWith("model_type", "mistral");
        Assert.EndsWith("model_type is \"mistral\", expected gpt2, llama, qwen2 or qwen3", e.Message);
        var direct = Assert.Throws<CheckpointException>(() => LlamaConfig.Parse("{\"model_type\":\"gemma\"}", "c.json"));
        Assert.Equal("c.json: model_type is \"gemma\", expected llama, qwen2 or qwen3", direct.Message);
    }

    [Fact]
    public void Unknown_rope_scaling_type_is_refused()
    {
        var e = LoadWith("rope_scaling", new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 });
        Assert.EndsWith("rope_scaling.rope_type is \"yarn\", expected \"llama3\" (or no rope_scaling)", e.Message);
        // The older spelling "type" is read too.
        e = LoadWith("rope_scaling", new JsonObject { ["type"] = "dynamic", ["factor"] = 2.0 });
        Assert.EndsWith("rope_scaling.rope_type is \"dynamic\", expected \"llama3\" (or no rope_scaling)", e.Message);
    }

    [Fact]
    public void Llama3_rope_scaling_without_its_factors_is_refused()
    {
        var e = LoadWith("rope_scaling", new JsonObject { ["rope_type"] = "llama3", ["factor"] = 8.0 });
        Assert.EndsWith("rope_scaling.low_freq_factor is missing (rope_type \"llama3\")", e.Message);
    }

    [Fact]
    public void Unknown_hidden_act_is_refused()
    {
        var e = LoadWith("hidden_act", "gelu");
        Assert.EndsWith("hidden_act is \"gelu\", expected \"silu\"", e.Message);
    }

    [Fact]
    public void Heads_that_do_not_share_kv_heads_evenly_are_refused()
    {
        var e = LoadWith("num_key_value_heads", 3);
        Assert.EndsWith("num_attention_heads (4) is not a multiple of num_key_value_heads (3)", e.Message);
    }

    [Fact]
    public void Defaults_follow_transformers()
    {
        var config = LlamaConfig.Parse("{\"model_type\":\"qwen2\",\"hidden_size\":64,\"num_attention_heads\":4,\"eos_token_id\":[5,7]}");
        Assert.Equal(16, config.HeadDim);                 // hidden_size / num_attention_heads
        Assert.Equal(4, config.NumKeyValueHeads);         // = num_attention_heads
        Assert.True(config.QkvBias);                      // qwen2 always has q/k/v biases
        Assert.False(config.OutputBias);
        Assert.Equal([5, 7], config.EosTokenIds);
        Assert.Equal(5, config.EffectivePadTokenId);
        Assert.Null(config.RopeScaling);
    }
}
