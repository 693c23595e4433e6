using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Lora;

/// <summary>
/// LoRA on GPT-2 (Conv1D layers held as Linear) and Qwen3: a fresh adapter changes nothing, only adapters get gradients,
/// and PEFT save / load / merge round-trip to the logits of the adapter applied at run time.
/// </summary>
public class LoraAdapterTests
{
    public LoraAdapterTests() => TorchThreads.EnsureConfigured();

    public static TheoryData<string> Models => new() { "gpt2-tiny-lm", "qwen3-tiny" };

    private static readonly LoraConfig Config = new() { Rank = 4, Alpha = 8 };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_fresh_adapter_gives_the_base_models_logits_exactly(string fixture)
    {
        using var model = ModelLoader.LoadLanguageModel(FixturePaths.Of(fixture));
        using var ids = Ids(model);
        using var before = model.forward(ids);
        using var generator = new Generator(1);
        using var adapter = LoraAdapter.Apply(model.Module, model.ModelType, Config, generator);
        using var after = model.forward(ids);

        Assert.Equal(model.ModelType == "gpt2" ? 2 * 4 : 2 * 7, adapter.ModuleNames.Count);   // every linear layer of 2 blocks
        Assert.Equal(before.data<float>().ToArray(), after.data<float>().ToArray());
        Assert.All(adapter.Layers, l => Assert.True(l.LoraA.abs().max().item<float>() > 0));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Gradients_reach_only_the_adapter_parameters(string fixture)
    {
        using var model = ModelLoader.LoadLanguageModel(FixturePaths.Of(fixture));
        using var generator = new Generator(2);
        using var adapter = LoraAdapter.Apply(model.Module, model.ModelType, Config with { TargetModules = model.ModelType == "gpt2" ? ["c_attn"] : ["q_proj", "v_proj"] }, generator);
        RandomiseB(adapter, 3);
        using var ids = Ids(model);
        using var logits = model.forward(ids);
        logits.pow(2).mean().backward();

        Assert.All(model.Module.named_parameters(), p => Assert.True(p.parameter.grad is null && !p.parameter.requires_grad, p.name));
        Assert.Equal(model.ModelType == "gpt2" ? 2 : 4, adapter.ModuleNames.Count);
        Assert.All(adapter.NamedParameters, p => Assert.True(p.Parameter.grad is { } g && g.abs().max().item<float>() > 0, p.Name));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Saved_adapter_loads_and_merges_to_the_logits_of_the_adapter_at_run_time(string fixture)
    {
        using var folder = new TempFolder();
        var basePath = FixturePaths.Of(fixture);
        using var ids = Ids(ModelLoader.ReadModelType(basePath) == "gpt2" ? 50257 : 512);
        float[] runtime;
        string firstKey;
        using (var model = ModelLoader.LoadLanguageModel(basePath))
        {
            using var generator = new Generator(4);
            using var adapter = LoraAdapter.Apply(model.Module, model.ModelType, Config, generator);
            RandomiseB(adapter, 5);
            using (var logits = model.forward(ids)) runtime = logits.data<float>().ToArray();
            using (var baseLogits = Disabled(adapter, () => model.forward(ids)))
                Assert.True(MaxDifference(baseLogits.data<float>().ToArray(), runtime) > 1e-3, "the adapter changes the logits");
            adapter.Save(folder.Sub("adapter"), basePath);
            firstKey = LoraFiles.KeyPrefix + adapter.NamedParameters.First().Name;
        }

        // PEFT's layout and names.
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Sub("adapter"), "adapter_config.json")))!;
        Assert.Equal("LORA", config["peft_type"]!.GetValue<string>());
        Assert.Equal(4, config["r"]!.GetValue<int>());
        Assert.Equal(8, config["lora_alpha"]!.GetValue<double>());
        Assert.Equal(fixture == "gpt2-tiny-lm", config["fan_in_fan_out"]!.GetValue<bool>());
        var keys = SafeTensorsFile.Read(Path.Combine(folder.Sub("adapter"), "adapter_model.safetensors")).Tensors.Keys.ToList();
        Assert.Contains(fixture == "gpt2-tiny-lm" ? "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight" : "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", keys);
        Assert.Contains(firstKey, keys);

        // Loaded on a fresh base: the same logits exactly.
        using (var model = ModelLoader.LoadLanguageModel(basePath))
        using (var adapter = LoraAdapter.Load(model.Module, model.ModelType, folder.Sub("adapter")))
        using (var logits = model.forward(ids))
            Assert.Equal(runtime, logits.data<float>().ToArray());

        // Merged into full weights (HF layout; GPT-2's Conv1D transposed on save): the same logits within 1e-5.
        LoraMerge.Merge(basePath, folder.Sub("adapter"), folder.Sub("merged"));
        Assert.False(File.Exists(Path.Combine(folder.Sub("merged"), "adapter_config.json")));
        using (var merged = ModelLoader.LoadLanguageModel(folder.Sub("merged")))
        using (var logits = merged.forward(ids))
            Assert.True(MaxDifference(runtime, logits.data<float>().ToArray()) <= 1e-5, $"max difference {MaxDifference(runtime, logits.data<float>().ToArray())}");
    }

    [Fact]
    public void Targets_that_match_no_layer_are_refused_and_leave_the_model_untouched()
    {
        using var model = ModelLoader.LoadLanguageModel(FixturePaths.Lm);
        var e = Assert.Throws<ArgumentException>(() => LoraAdapter.Apply(model.Module, model.ModelType, Config with { TargetModules = ["c_attn", "q_proj"] }));
        Assert.Equal("--lora-targets q_proj match no linear layer of this gpt2 model (its linear layers: c_attn,c_proj,c_fc)", e.Message);
        Assert.All(model.Module.parameters(), p => Assert.True(p.requires_grad));
    }

    private static Tensor Ids(ICausalLanguageModel model) => Ids(model.VocabSize);

    private static Tensor Ids(long vocab)
    {
        using var generator = new Generator(7);
        return randint(0, Math.Min(vocab, 500), [2, 12], dtype: ScalarType.Int64, generator: generator);
    }

    private static void RandomiseB(LoraAdapter adapter, ulong seed)
    {
        using var generator = new Generator(seed);
        using var noGrad = no_grad();
        foreach (var layer in adapter.Layers) layer.LoraB.normal_(0, 0.05, generator);
    }

    private static Tensor Disabled(LoraAdapter adapter, Func<Tensor> forward)
    {
        adapter.Enabled = false;
        try { return forward(); }
        finally { adapter.Enabled = true; }
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
}
