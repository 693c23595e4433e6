using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Checkpoints;

/// <summary>Checkpoints as the Hub ships them: sharded model.safetensors.index.json, generation_config.json, streamed loading.</summary>
public class ShardedCheckpointTests
{
    public ShardedCheckpointTests() => TorchThreads.EnsureConfigured();

    /// <summary>llama-tiny with its weights split into two shards and an index, as save_pretrained(max_shard_size=...) writes.</summary>
    private static string ShardedLlamaTiny(TempFolder temp, Func<string, string, string>? shardOf = null)
    {
        var source = LlamaFixtureCase.Folder("llama-tiny");
        var folder = temp.Sub("sharded");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(folder, "config.json"));
        var tensors = SafeTensorsFile.Read(Path.Combine(source, "model.safetensors")).Tensors.Values.ToList();
        var shards = new[] { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" };
        var first = tensors.Where(t => t.Name.StartsWith("model.layers.0.", StringComparison.Ordinal) || t.Name == "model.embed_tokens.weight").ToList();
        var second = tensors.Except(first).ToList();
        SafeTensorsFile.Write(Path.Combine(folder, shards[0]), first);
        SafeTensorsFile.Write(Path.Combine(folder, shards[1]), second);
        var map = new JsonObject();
        foreach (var t in first) map[t.Name] = shardOf?.Invoke(t.Name, shards[0]) ?? shards[0];
        foreach (var t in second) map[t.Name] = shardOf?.Invoke(t.Name, shards[1]) ?? shards[1];
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 166000 }, ["weight_map"] = map };
        File.WriteAllText(Path.Combine(folder, CheckpointWeights.IndexFileName), index.ToJsonString());
        Assert.True(first.Count > 0 && second.Count > 0);
        return folder;
    }

    private static float[] Logits(ICausalLanguageModel lm)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 7, 422, 49, 298, 338 }, [1, 5]);
        return lm.forward(ids).data<float>().ToArray();   // [1, 5, V] flattened
    }

    [Fact]
    public void Sharded_index_loads_the_same_model_as_the_single_file()
    {
        using var temp = new TempFolder();
        var folder = ShardedLlamaTiny(temp);
        using var single = ModelLoader.LoadLanguageModel(LlamaFixtureCase.Folder("llama-tiny"));
        using var sharded = ModelLoader.LoadLanguageModel(folder);
        Assert.Equal(Logits(single), Logits(sharded));
    }

    [Fact]
    public void Index_naming_a_missing_shard_or_a_path_outside_the_folder_is_refused()
    {
        using var temp = new TempFolder();
        var folder = ShardedLlamaTiny(temp, (name, shard) => name == "model.norm.weight" ? "../elsewhere.safetensors" : shard);
        var e = Assert.Throws<CheckpointException>(() => ModelLoader.LoadLanguageModel(folder));
        Assert.Equal($"{Path.Combine(folder, CheckpointWeights.IndexFileName)}: weight_map entry model.norm.weight is \"../elsewhere.safetensors\", expected a .safetensors file name in the same folder", e.Message);

        using var temp2 = new TempFolder();
        folder = ShardedLlamaTiny(temp2);
        File.Delete(Path.Combine(folder, "model-00002-of-00002.safetensors"));
        e = Assert.Throws<CheckpointException>(() => ModelLoader.LoadLanguageModel(folder));
        Assert.Equal($"{Path.Combine(folder, "model-00002-of-00002.safetensors")}: file not found", e.Message);
    }

    [Fact]
    public void Index_putting_a_tensor_in_the_wrong_shard_is_refused()
    {
        using var temp = new TempFolder();
        var folder = ShardedLlamaTiny(temp, (name, shard) => name == "model.norm.weight" ? "model-00001-of-00002.safetensors" : shard);
        var e = Assert.Throws<CheckpointException>(() => ModelLoader.LoadLanguageModel(folder));
        Assert.EndsWith("weight_map puts model.norm.weight in model-00001-of-00002.safetensors, which has no such tensor", e.Message);
    }

    [Fact]
    public void Generation_config_eos_ids_replace_the_config_ones_and_may_be_a_list()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(LlamaFixtureCase.Folder("llama-tiny"));
        using (var plain = ModelLoader.LoadLanguageModel(folder))
            Assert.Equal([2], plain.EosTokenIds);

        File.WriteAllText(Path.Combine(folder, ModelLoader.GenerationConfigFileName), "{\"bos_token_id\": 1, \"eos_token_id\": [2, 5]}");
        using (var listed = ModelLoader.LoadLanguageModel(folder))
            Assert.Equal([2, 5], listed.EosTokenIds);

        File.WriteAllText(Path.Combine(folder, ModelLoader.GenerationConfigFileName), "{\"eos_token_id\": 9}");
        using (var single = ModelLoader.LoadLanguageModel(folder))
            Assert.Equal([9], single.EosTokenIds);
    }

    [Fact]
    public void State_dict_keys_are_the_checkpoint_keys()
    {
        foreach (var fixture in new[] { "llama-tiny", "llama3-rope-tiny", "qwen3-tiny" })
        {
            using var lm = ModelLoader.LoadLanguageModel(LlamaFixtureCase.Folder(fixture));
            var keys = SafeTensorsFile.Read(Path.Combine(LlamaFixtureCase.Folder(fixture), "model.safetensors")).Tensors.Keys.Order();
            Assert.Equal(keys, lm.Module.state_dict().Keys.Order());
        }
        using var rm = ModelLoader.LoadRewardModel(LlamaFixtureCase.Folder("qwen2-reward-tiny"));
        var rewardKeys = SafeTensorsFile.Read(Path.Combine(LlamaFixtureCase.Folder("qwen2-reward-tiny"), "model.safetensors")).Tensors.Keys.Order();
        Assert.Equal(rewardKeys, rm.Module.state_dict().Keys.Order());
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", rewardKeys);
        Assert.DoesNotContain("model.layers.0.self_attn.o_proj.bias", rewardKeys);
    }

    [Fact]
    public void A_causal_lm_checkpoint_becomes_a_reward_model_with_a_fresh_score_head_only_when_asked()
    {
        var folder = LlamaFixtureCase.Folder("llama-tiny");
        var e = Assert.Throws<CheckpointException>(() => ModelLoader.LoadRewardModel(folder));
        Assert.EndsWith("score.weight is missing", e.Message);

        using var generator = new Generator(1);
        using var rm = ModelLoader.LoadRewardModel(folder, initScoreIfMissing: true, generator);
        var score = ((LlamaForSequenceClassification)rm).ScoreWeight;
        Assert.Equal(new long[] { 1, 32 }, score.shape);
        var std = score.std().item<float>();
        Assert.InRange(std, 0.5 / Math.Sqrt(33), 2.0 / Math.Sqrt(33));
    }

    [Fact]
    public void Loading_streams_tensor_by_tensor_instead_of_reading_the_whole_file()
    {
        // A model of ~9 MB float32 whose largest tensors are 2 MB: loading may allocate about one tensor's worth of managed
        // memory (one 1 MB conversion chunk), never a copy of the file.
        var config = new LlamaConfig
        {
            ModelType = "llama", VocabSize = 4096, HiddenSize = 128, IntermediateSize = 384, NumHiddenLayers = 6,
            NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 32, EosTokenIds = [2],
        };
        using var temp = new TempFolder();
        var folder = temp.Sub("model");
        Directory.CreateDirectory(folder);
        long fileBytes;
        using (var model = new LlamaForCausalLM(config))
        {
            var tensors = Gpt2Checkpoint.ToHuggingFaceTensors(model);
            SafeTensorsFile.Write(Path.Combine(folder, "model.safetensors"), tensors);
            fileBytes = tensors.Sum(t => t.ElementCount * 4);
        }
        File.WriteAllText(Path.Combine(folder, "config.json"),
            "{\"model_type\":\"llama\",\"vocab_size\":4096,\"hidden_size\":128,\"intermediate_size\":384,\"num_hidden_layers\":6,"
            + "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":32,\"eos_token_id\":2}");

        using var loaded = new LlamaForCausalLM(config);
        using var weights = CheckpointWeights.Open(folder);
        var before = GC.GetAllocatedBytesForCurrentThread();
        LlamaCheckpoint.LoadParameters(loaded, weights, _ => false);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(fileBytes > 8_000_000, $"{fileBytes}");
        Assert.True(allocated < fileBytes / 4, $"loading allocated {allocated} managed bytes for a {fileBytes}-byte checkpoint");
    }
}
