using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;

namespace Rlhf.Training.Tests.Checkpoints;

/// <summary>Broken checkpoints fail with one-line messages that name the file and the key.</summary>
public class CheckpointErrorTests
{
    public CheckpointErrorTests() => TorchThreads.EnsureConfigured();

    private static void AssertOneLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
    }

    [Fact]
    public void Missing_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{folder}: model folder not found", e.Message);
    }

    [Fact]
    public void Missing_config_and_missing_weights()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(FixturePaths.Lm);
        File.Delete(Path.Combine(folder, "model.safetensors"));
        var e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{Path.Combine(folder, "model.safetensors")}: file not found", e.Message);

        File.Delete(Path.Combine(folder, "config.json"));
        e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{Path.Combine(folder, "config.json")}: file not found", e.Message);
    }

    [Fact]
    public void Wrong_model_type()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(FixturePaths.Lm);
        var configPath = Path.Combine(folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["model_type"] = "llama";
        File.WriteAllText(configPath, config.ToJsonString());

        var e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{configPath}: model_type is \"llama\", expected \"gpt2\"", e.Message);
        AssertOneLine(e.Message);
    }

    [Fact]
    public void Bad_config_value_names_the_key()
    {
        var e = Assert.Throws<CheckpointException>(() => Gpt2Config.Parse("{\"model_type\":\"gpt2\",\"n_head\":\"two\"}", "x/config.json"));
        Assert.Equal("x/config.json: n_head is \"two\", expected an integer", e.Message);
        e = Assert.Throws<CheckpointException>(() => Gpt2Config.Parse("{\"model_type\":\"gpt2\",\"n_embd\":10,\"n_head\":3}", "config.json"));
        Assert.Equal("config.json: n_embd (10) is not divisible by n_head (3)", e.Message);
        e = Assert.Throws<CheckpointException>(() => Gpt2Config.Parse("{not json", "config.json"));
        Assert.StartsWith("config.json: is not valid JSON", e.Message);
        AssertOneLine(e.Message);
    }

    [Fact]
    public void Wrong_shaped_tensor()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(FixturePaths.Lm);
        var weights = Path.Combine(folder, "model.safetensors");
        var tensors = SafeTensorsFile.Read(weights).Tensors.Values
            .Select(t => t.Name == "transformer.h.0.attn.c_attn.weight" ? t with { Shape = [16, 40], Data = new float[640] } : t)
            .ToList();
        File.Delete(weights);
        SafeTensorsFile.Write(weights, tensors);

        var e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{weights}: transformer.h.0.attn.c_attn.weight has shape [16, 40], expected [16, 48] (config.json: n_embd 16, n_layer 2, vocab_size 50257, n_positions 64)", e.Message);
    }

    [Fact]
    public void Missing_tensor_and_missing_score_head()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(FixturePaths.Lm);
        var weights = Path.Combine(folder, "model.safetensors");

        // An LM checkpoint has no score.weight: loading it as a reward model names the key.
        var e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadRewardModel(folder));
        Assert.Equal($"{weights}: score.weight is missing", e.Message);

        var tensors = SafeTensorsFile.Read(weights).Tensors.Values.Where(t => t.Name != "transformer.ln_f.bias").ToList();
        File.Delete(weights);
        SafeTensorsFile.Write(weights, tensors);
        e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{weights}: transformer.ln_f.bias is missing", e.Message);
    }

    [Fact]
    public void Corrupt_safetensors_header()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(FixturePaths.Lm);
        var weights = Path.Combine(folder, "model.safetensors");
        File.WriteAllBytes(weights, [1, 2, 3]);
        var e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.StartsWith($"{weights}: is not a safetensors file", e.Message);

        var header = System.Text.Encoding.UTF8.GetBytes("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}");
        File.WriteAllBytes(weights, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[8]]);
        e = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Read(weights));
        Assert.Equal($"{weights}: x has dtype I64; only F32, F16 and BF16 are supported", e.Message);
    }
}
