using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Checkpoints;

public class CheckpointRoundTripTests
{
    public CheckpointRoundTripTests() => TorchThreads.EnsureConfigured();

    private static readonly long[] Ids = [15496, 995, 11, 428, 318, 257, 1332, 13, 40, 588, 340, 845, 881, 50256, 50256, 50256];

    private static Dictionary<string, (string DType, long[] Shape)> HeaderEntries(string file)
    {
        var header = JsonNode.Parse(SafeTensorsFile.ReadHeaderJson(file))!.AsObject();
        return header.Where(kv => kv.Key != "__metadata__").ToDictionary(
            kv => kv.Key,
            kv => (kv.Value!["dtype"]!.GetValue<string>(), kv.Value!["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray()));
    }

    [Fact]
    public void Lm_save_and_reload_gives_identical_logits_and_hf_layout()
    {
        using var temp = new TempFolder();
        var saved = temp.Sub("saved");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(Ids, [2, 8]);

        using var original = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        Gpt2Checkpoint.Save(original, saved);
        using var reloaded = Gpt2Checkpoint.LoadLanguageModel(saved);
        Assert.True(original.forward(ids).eq(reloaded.forward(ids)).all().item<bool>());

        // Same keys, shapes (Conv1D [in, out]) and dtype as the HF-written fixture; no lm_head.
        var expected = HeaderEntries(Path.Combine(FixturePaths.Lm, "model.safetensors"));
        var actual = HeaderEntries(Path.Combine(saved, "model.safetensors"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, entry) in expected)
        {
            Assert.Equal("F32", actual[key].DType);
            Assert.Equal(entry.Shape, actual[key].Shape);
        }
        Assert.Equal(new long[] { 16, 48 }, actual["transformer.h.0.attn.c_attn.weight"].Shape);
        Assert.DoesNotContain("lm_head.weight", actual.Keys);

        // Bytes on disk equal the fixture's tensors exactly.
        var a = SafeTensorsFile.Read(Path.Combine(FixturePaths.Lm, "model.safetensors"));
        var b = SafeTensorsFile.Read(Path.Combine(saved, "model.safetensors"));
        foreach (var (key, t) in a.Tensors) Assert.Equal(t.Data, b.Tensors[key].Data);
        Assert.Equal("pt", b.Metadata["format"]);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "config.json")))!.AsObject();
        Assert.Equal("gpt2", config["model_type"]!.GetValue<string>());
        Assert.Equal("GPT2LMHeadModel", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(50256, config["pad_token_id"]!.GetValue<int>());
        Assert.Equal(64, config["n_ctx"]!.GetValue<int>());   // unknown keys are kept
    }

    [Fact]
    public void Reward_save_and_reload_gives_identical_rewards_and_hf_layout()
    {
        using var temp = new TempFolder();
        var saved = temp.Sub("saved");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(Ids, [2, 8]);

        using var original = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        Gpt2Checkpoint.Save(original, saved);
        using var reloaded = Gpt2Checkpoint.LoadRewardModel(saved);
        Assert.True(original.forward(ids).eq(reloaded.forward(ids)).all().item<bool>());
        Assert.True(original.Rewards(ids).eq(reloaded.Rewards(ids)).all().item<bool>());

        var expected = HeaderEntries(Path.Combine(FixturePaths.Reward, "model.safetensors"));
        var actual = HeaderEntries(Path.Combine(saved, "model.safetensors"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, entry) in expected) Assert.Equal(entry.Shape, actual[key].Shape);
        Assert.Equal(new long[] { 1, 16 }, actual["score.weight"].Shape);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "config.json")))!.AsObject();
        Assert.Equal("GPT2ForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(1, config["num_labels"]!.GetValue<int>());
        Assert.Equal("LABEL_0", config["id2label"]!["0"]!.GetValue<string>());
        Assert.Equal(50256, config["pad_token_id"]!.GetValue<int>());
    }

    [Fact]
    public void Keys_without_the_transformer_prefix_and_hf_buffers_load_the_same()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(FixturePaths.Lm);
        var weights = Path.Combine(folder, "model.safetensors");
        var tensors = SafeTensorsFile.Read(weights).Tensors.Values
            .Select(t => t with { Name = t.Name.Replace("transformer.", "") })
            .Append(new SafeTensor("h.0.attn.bias", "F32", [1, 1, 4, 4], new float[16]))
            .Append(new SafeTensor("h.0.attn.masked_bias", "F32", [], [-1e4f]))
            .ToList();
        File.Delete(weights);
        SafeTensorsFile.Write(weights, tensors);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(Ids, [2, 8]);
        using var original = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        using var bare = Gpt2Checkpoint.LoadLanguageModel(folder);
        Assert.True(original.forward(ids).eq(bare.forward(ids)).all().item<bool>());
    }

    [Fact]
    public void Lm_checkpoint_loads_as_reward_model_with_a_fresh_head_when_allowed()
    {
        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Lm, initScoreIfMissing: true, generator: new Generator(1));
        using var noGrad = no_grad();
        var w = model.ScoreWeight;
        Assert.Equal(new long[] { 1, 16 }, w.shape);
        var std = w.std().item<float>();
        Assert.InRange(std, 0.05, 0.6);   // N(0, 1/sqrt(17) = 0.24)
    }

    [Fact]
    public void Safetensors_reads_f16_and_bf16_as_float32()
    {
        using var temp = new TempFolder();
        var file = temp.Sub("mixed.safetensors");
        float[] values = [1.5f, -2.25f, 0.0f, 65504f];
        var f16 = values.SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v))).ToArray();
        var bf16 = values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))).ToArray();
        var header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                     + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[8,16]}}";
        var headerBytes = System.Text.Encoding.UTF8.GetBytes(header);
        using (var s = File.Create(file))
        {
            s.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
            s.Write(headerBytes);
            s.Write(f16);
            s.Write(bf16);
        }
        var read = SafeTensorsFile.Read(file);
        Assert.Equal(values, read.Tensors["a"].Data);
        Assert.Equal(new long[] { 2, 2 }, read.Tensors["a"].Shape);
        Assert.Equal("F16", read.Tensors["a"].DType);
        Assert.Equal(new[] { 1.5f, -2.25f, 0.0f, 65280f }, read.Tensors["b"].Data);   // bf16 truncates 65504
    }

    [Fact]
    public void Safetensors_writer_is_aligned_sorted_and_deterministic()
    {
        using var temp = new TempFolder();
        SafeTensor[] tensors =
        [
            new("zeta", "F32", [3], [1, 2, 3]),
            new("alpha", "F32", [1, 2], [4, 5]),
        ];
        var f1 = temp.Sub("1.safetensors");
        var f2 = temp.Sub("2.safetensors");
        SafeTensorsFile.Write(f1, tensors);
        SafeTensorsFile.Write(f2, tensors.Reverse());
        Assert.Equal(File.ReadAllBytes(f1), File.ReadAllBytes(f2));

        var bytes = File.ReadAllBytes(f1);
        var headerLength = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, (8 + headerLength) % 8);
        var header = JsonNode.Parse(SafeTensorsFile.ReadHeaderJson(f1))!.AsObject();
        Assert.Equal(new[] { "__metadata__", "alpha", "zeta" }, header.Select(kv => kv.Key).ToArray());
        Assert.Equal("[0,8]", header["alpha"]!["data_offsets"]!.ToJsonString());
        Assert.Equal("[8,20]", header["zeta"]!["data_offsets"]!.ToJsonString());
        var read = SafeTensorsFile.Read(f1);
        Assert.Equal(new float[] { 1, 2, 3 }, read.Tensors["zeta"].Data);
        Assert.Equal(new float[] { 4, 5 }, read.Tensors["alpha"].Data);
    }

    [Fact]
    public void Config_reads_the_fixture_and_keeps_unknown_keys()
    {
        var config = Gpt2Config.Load(Path.Combine(FixturePaths.Reward, "config.json"));
        Assert.Equal(50257, config.VocabSize);
        Assert.Equal(64, config.NPositions);
        Assert.Equal(16, config.NEmbd);
        Assert.Equal(2, config.NLayer);
        Assert.Equal(4, config.NHead);
        Assert.Equal(64, config.InnerDim);
        Assert.Equal(1e-5, config.LayerNormEpsilon);
        Assert.Equal(50256, config.PadTokenId);
        Assert.Equal(1, config.NumLabels);
        Assert.Equal(["GPT2ForSequenceClassification"], config.Architectures);

        var json = config.ToJson(Gpt2Config.LmArchitecture);
        Assert.Equal(64, json["n_ctx"]!.GetValue<int>());
        var again = Gpt2Config.Parse(json.ToJsonString());
        Assert.Equal(config.NHead, again.NHead);
        Assert.Equal(["GPT2LMHeadModel"], again.Architectures);

        var legacy = Gpt2Config.Parse("{\"model_type\":\"gpt2\",\"n_vocab\":100,\"n_ctx\":32,\"n_embd\":8,\"n_layer\":1,\"n_head\":2}");
        Assert.Equal(100, legacy.VocabSize);
        Assert.Equal(32, legacy.NPositions);
    }
}
