using System.Text.Json.Nodes;
using Rlhf.Training.Models;
using static Rlhf.Training.Models.ConfigJson;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Saves a model of any supported family in the Hugging Face layout, so that <see cref="ModelLoader"/> and
/// transformers' from_pretrained load it again, together with the tokenizer files of the folder it came from
/// (<see cref="ModelFiles.Companions"/>), so that <see cref="Text.ModelTokenizer.Load"/> finds the same tokenizer and
/// chat template. GPT-2 goes through <see cref="Gpt2Checkpoint"/>; a Llama-family model writes float32 weights under
/// its state-dict names (the checkpoint names) and the source's config.json with architectures set to
/// *ForCausalLM or *ForSequenceClassification (num_labels 1, pad_token_id set) and torch_dtype float32.
/// </summary>
public static class ModelSaver
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="outFolder"/>; config and tokenizer from <paramref name="sourceFolder"/>.</summary>
    public static void Save(IDecoderModel model, string sourceFolder, string outFolder)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(outFolder);
        switch (model)
        {
            case Gpt2LMHeadModel lm: Gpt2Checkpoint.Save(lm, outFolder); break;
            case Gpt2ForSequenceClassification reward: Gpt2Checkpoint.Save(reward, outFolder); break;
            default: SaveLlama(model, sourceFolder, outFolder); break;
        }
        ModelFiles.CopyCompanions(sourceFolder, outFolder);
    }

    private static void SaveLlama(IDecoderModel model, string sourceFolder, string outFolder)
    {
        var isReward = model is IRewardModel;
        var configPath = Path.Combine(sourceFolder, ModelLoader.ConfigFileName);
        var config = ParseObject(ReadFile(configPath), configPath);
        config["architectures"] = new JsonArray(ArchitectureOf(model.ModelType) + (isReward ? "ForSequenceClassification" : "ForCausalLM"));
        config["torch_dtype"] = "float32";
        if (config.ContainsKey("dtype")) config["dtype"] = "float32";
        if (isReward)
        {
            config["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
            config["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
            config.Remove("num_labels");
            config["pad_token_id"] = model.PadTokenId;
        }

        var tensors = new List<SafeTensor>();
        using (no_grad())
        {
            foreach (var (name, parameter) in model.Module.named_parameters())
            {
                using var scope = NewDisposeScope();
                var t = parameter.detach().to(ScalarType.Float32, CPU).contiguous();
                tensors.Add(new SafeTensor(name, "F32", t.shape.ToArray(), t.data<float>().ToArray()));
            }
        }
        // A sharded source's index would shadow nothing (model.safetensors is read first), but remove a stale one anyway.
        File.Delete(Path.Combine(outFolder, CheckpointWeights.IndexFileName));
        SafeTensorsFile.Write(Path.Combine(outFolder, CheckpointWeights.SingleFileName), tensors);
        File.WriteAllText(Path.Combine(outFolder, ModelLoader.ConfigFileName),
            config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>transformers' class prefix of a model_type: llama → Llama, qwen2 → Qwen2, qwen3 → Qwen3.</summary>
    public static string ArchitectureOf(string modelType) => modelType switch
    {
        "llama" => "Llama",
        "qwen2" => "Qwen2",
        "qwen3" => "Qwen3",
        "gpt2" => "GPT2",
        _ => throw new ArgumentException($"model_type \"{modelType}\" is not supported", nameof(modelType)),
    };
}
