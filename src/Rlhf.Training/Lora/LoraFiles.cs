using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using static Rlhf.Training.Models.ConfigJson;
using static TorchSharp.torch;

namespace Rlhf.Training.Lora;

/// <summary>
/// A LoRA adapter folder as PEFT's save_pretrained writes it (and PeftModel.from_pretrained reads it):
/// <code>
/// adapter_config.json          {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r", "lora_alpha", "lora_dropout",
///                               "target_modules", "base_model_name_or_path", "fan_in_fan_out" (true for GPT-2's Conv1D), ...}
/// adapter_model.safetensors    "base_model.model.{module}.lora_A.weight" [r, in], "...lora_B.weight" [out, r], float32;
///                              a reward or value model's head: "base_model.model.score.weight" [1, hidden]
///                              (modules_to_save ["score"], task_type SEQ_CLS; PEFT's key without "modules_to_save.default")
/// </code>
/// Reading refuses what this platform does not compute (DoRA, per-layer rank or alpha patterns, bias training) with a
/// <see cref="CheckpointException"/> naming the file and field.
/// </summary>
public static class LoraFiles
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";
    public const string KeyPrefix = "base_model.model.";

    /// <summary>True when <paramref name="folder"/> holds an adapter (adapter_config.json) rather than a full model.</summary>
    public static bool IsAdapter(string folder) => File.Exists(Path.Combine(folder, ConfigFileName));

    /// <summary>base_model_name_or_path of the adapter in <paramref name="folder"/> (null when absent).</summary>
    public static string? ReadBaseModel(string folder)
    {
        var path = Path.Combine(folder, ConfigFileName);
        return GetString(ParseObject(ReadFile(path), path), "base_model_name_or_path", path);
    }

    public static void Write(string folder, LoraAdapter adapter, string baseModelNameOrPath)
    {
        Directory.CreateDirectory(folder);
        var tensors = new List<SafeTensor>();
        using (no_grad())
        {
            foreach (var (name, p) in adapter.NamedParameters)
            {
                using var t = p.detach().to(ScalarType.Float32).contiguous();
                tensors.Add(new SafeTensor(KeyPrefix + name, "F32", t.shape, t.data<float>().ToArray()));
            }
        }
        SafeTensorsFile.Write(Path.Combine(folder, WeightsFileName), tensors);
        var c = adapter.Config;
        var config = new JsonObject
        {
            ["alpha_pattern"] = new JsonObject(),
            ["base_model_name_or_path"] = baseModelNameOrPath,
            ["bias"] = "none",
            ["fan_in_fan_out"] = adapter.ModelType == "gpt2",
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = c.Alpha,
            ["lora_dropout"] = c.Dropout,
            ["modules_to_save"] = adapter.HasScoreHead ? new JsonArray(LoraAdapter.ScoreHead) : null,
            ["peft_type"] = "LORA",
            ["r"] = c.Rank,
            ["rank_pattern"] = new JsonObject(),
            ["revision"] = null,
            ["target_modules"] = new JsonArray(c.TargetsFor(adapter.ModelType).Select(t => (JsonNode)t).ToArray()),
            ["task_type"] = adapter.HasScoreHead ? "SEQ_CLS" : "CAUSAL_LM",
            ["use_dora"] = false,
            ["use_rslora"] = c.UseRsLora,
        };
        File.WriteAllText(Path.Combine(folder, ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>modules_to_save of the adapter in <paramref name="folder"/> (empty when null or absent).</summary>
    public static IReadOnlyList<string> ReadModulesToSave(string folder)
    {
        var path = Path.Combine(folder, ConfigFileName);
        return ParseObject(ReadFile(path), path)["modules_to_save"] switch
        {
            JsonArray a => a.Select(n => n!.GetValue<string>()).ToList(),
            JsonValue v when v.TryGetValue<string>(out var s) => [s],
            _ => [],
        };
    }

    /// <summary>adapter_config.json as a <see cref="LoraConfig"/>.</summary>
    public static LoraConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFileName);
        var json = ParseObject(ReadFile(path), path);
        if (GetString(json, "peft_type", path) is var type && type != "LORA")
            throw new CheckpointException(path, $"peft_type is \"{type}\", expected \"LORA\"");
        if (GetBool(json, "use_dora", path) == true) throw new CheckpointException(path, "use_dora is true: DoRA adapters are not supported");
        foreach (var pattern in new[] { "rank_pattern", "alpha_pattern" })
            if (json[pattern] is JsonObject { Count: > 0 }) throw new CheckpointException(path, $"{pattern} is set: per-layer ranks and alphas are not supported");
        if (GetString(json, "bias", path) is { } bias && bias != "none") throw new CheckpointException(path, $"bias is \"{bias}\": only \"none\" is supported");
        var targets = json["target_modules"] switch
        {
            JsonArray a => a.Select(n => n!.GetValue<string>()).ToList(),
            JsonValue v when v.TryGetValue<string>(out var s) => s == "all-linear" ? [] : new List<string> { s },
            _ => throw new CheckpointException(path, "target_modules is missing, expected a list of module names"),
        };
        var config = new LoraConfig
        {
            Rank = GetInt(json, "r", path) ?? throw new CheckpointException(path, "r is missing"),
            Alpha = GetDouble(json, "lora_alpha", path) ?? 8,
            Dropout = GetDouble(json, "lora_dropout", path) ?? 0,
            TargetModules = targets,
            UseRsLora = GetBool(json, "use_rslora", path) ?? false,
        };
        if (config.Problems() is { Count: > 0 } problems) throw new CheckpointException(path, string.Join("; ", problems));
        return config;
    }

    /// <summary>Copies adapter_model.safetensors into <paramref name="adapter"/>: every key must be there, with its shape, and no other.</summary>
    public static void ReadWeights(string folder, LoraAdapter adapter)
    {
        var path = Path.Combine(folder, WeightsFileName);
        var file = SafeTensorsFile.Read(path);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, p) in adapter.NamedParameters)
        {
            var key = KeyPrefix + name;
            expected.Add(key);
            if (!file.Tensors.TryGetValue(key, out var saved)) throw new CheckpointException(path, $"{key} is missing");
            if (!saved.Shape.SequenceEqual(p.shape))
                throw new CheckpointException(path, $"{key} has shape {SafeTensor.FormatShape(saved.Shape)}, expected {SafeTensor.FormatShape(p.shape)}");
            using var source = tensor(saved.Data, saved.Shape);
            p.copy_(source);
        }
        if (file.Tensors.Keys.FirstOrDefault(k => !expected.Contains(k)) is { } extra)
            throw new CheckpointException(path, $"{extra} belongs to no adapted layer of this model");
    }
}
