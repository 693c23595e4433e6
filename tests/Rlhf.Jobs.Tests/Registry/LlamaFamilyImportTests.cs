using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Registry;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Jobs.Tests.Registry;

/// <summary>Importing Llama-family checkpoints as the Hub ships them, and what is refused before anything is copied.</summary>
public class LlamaFamilyImportTests
{
    private static Task<ModelImportResult> ImportAsync(JobsHarness h, string folder, string name, ModelKind kind = ModelKind.Base) =>
        h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(folder, name, kind, null, "import", null, "", null));

    /// <summary>Rewrites folder/model.safetensors as two BF16 shards and model.safetensors.index.json (as save_pretrained does).</summary>
    private static void ShardAsBf16(string folder)
    {
        var tensors = SafeTensorsFile.Read(Path.Combine(folder, CheckpointWeights.SingleFileName)).Tensors.Values.ToList();
        File.Delete(Path.Combine(folder, CheckpointWeights.SingleFileName));
        var shards = new[] { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" };
        var first = tensors.Where(t => t.Name.Contains("embed_tokens")).ToList();
        var map = new JsonObject();
        foreach (var (part, shard) in new[] { (first, shards[0]), (tensors.Except(first).ToList(), shards[1]) })
        {
            WriteBf16(Path.Combine(folder, shard), part);
            foreach (var t in part) map[t.Name] = shard;
        }
        File.WriteAllText(Path.Combine(folder, CheckpointWeights.IndexFileName),
            new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map }.ToJsonString());
    }

    /// <summary>A safetensors file with every tensor in BF16 (the top 16 bits of each float32, round toward zero).</summary>
    private static void WriteBf16(string path, IReadOnlyList<SafeTensor> tensors)
    {
        var header = new JsonObject();
        long offset = 0;
        foreach (var t in tensors)
        {
            var bytes = t.Data.Length * 2L;
            header[t.Name] = new JsonObject { ["dtype"] = "BF16", ["shape"] = new JsonArray([.. t.Shape.Select(x => (JsonNode)x)]), ["data_offsets"] = new JsonArray(offset, offset + bytes) };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        foreach (var t in tensors)
            foreach (var x in t.Data)
                file.Write(BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(x) >> 16)));
    }

    private static float[] Logits(string folder)
    {
        TorchThreads.EnsureConfigured();
        using var lm = ModelLoader.LoadLanguageModel(folder);
        using var noGrad = no_grad();
        using var ids = tensor(new long[] { 151644, 872, 198, 9707, 151645 }, [1, 5]);
        using var logits = lm.forward(ids);
        return logits.data<float>().ToArray();
    }

    [Fact]
    public async Task A_sharded_bf16_Qwen3_checkpoint_is_imported_with_its_tokenizer_and_generation_config()
    {
        await using var h = await JobsHarness.CreateAsync();
        var source = TinyChatModels.Qwen3(Path.Combine(h.Folder, "qwen3"), seed: 3);
        ShardAsBf16(source);

        var result = await ImportAsync(h, source, "qwen3-sharded");

        Assert.True(result.Succeeded, result.Error);
        var model = result.Model!;
        Assert.Equal(("qwen3", 1, 16, 2, 512, 151936), (model.ModelType, model.NLayer, model.NEmbd, model.NHead, model.NPositions, model.VocabSize));
        var folder = Path.Combine(h.Services.GetRequiredService<RlhfPaths>().DataFolder, model.Folder);
        Assert.Equal(
            ["config.json", "generation_config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
             "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Logits(source), Logits(folder));
        await using var db = await h.DbAsync();
        Assert.Equal("qwen3", (await db.Models.SingleAsync()).ModelType);
    }

    [Fact]
    public async Task An_unknown_model_type_a_tokenizer_larger_than_the_vocabulary_and_an_unknown_chat_template_are_refused_and_nothing_is_stored()
    {
        await using var h = await JobsHarness.CreateAsync();
        var mistral = Path.Combine(h.Folder, "mistral");
        Directory.CreateDirectory(mistral);
        foreach (var file in Directory.GetFiles(FixturePaths.Of("llama-tiny"))) File.Copy(file, Path.Combine(mistral, Path.GetFileName(file)));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(mistral, "config.json")))!;
        config["model_type"] = "mistral";
        File.WriteAllText(Path.Combine(mistral, "config.json"), config.ToJsonString());

        var unknown = await ImportAsync(h, mistral, "mistral-tiny");

        Assert.False(unknown.Succeeded);
        Assert.Equal($"{Path.Combine(mistral, "config.json")}: model_type is \"mistral\", expected gpt2, llama, qwen2 or qwen3", unknown.Error);

        // llama-tiny (vocab_size 512) with Qwen3's tokenizer (151669 tokens).
        var misfit = Path.Combine(h.Folder, "misfit");
        Directory.CreateDirectory(misfit);
        foreach (var file in Directory.GetFiles(FixturePaths.Of("llama-tiny"))) File.Copy(file, Path.Combine(misfit, Path.GetFileName(file)));
        foreach (var file in Directory.GetFiles(TinyChatModels.TokenizerFolder("qwen3"))) File.Copy(file, Path.Combine(misfit, Path.GetFileName(file)));

        var tooLarge = await ImportAsync(h, misfit, "misfit");

        Assert.False(tooLarge.Succeeded);
        Assert.Equal($"{misfit}: the tokenizer has 151669 tokens but the model's vocab_size is 512: ids 512..151668 have no embedding", tooLarge.Error);
        // A chat template the platform cannot render is refused naming the model, never replaced.
        var template = Path.Combine(h.Folder, "odd-template");
        Directory.CreateDirectory(template);
        foreach (var file in Directory.GetFiles(misfit)) File.Copy(file, Path.Combine(template, Path.GetFileName(file)));
        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(template, "tokenizer_config.json")))!;
        tokenizerConfig["chat_template"] = "{% for m in messages %}{{ m.content }}{% endfor %}";
        File.WriteAllText(Path.Combine(template, "tokenizer_config.json"), tokenizerConfig.ToJsonString());

        var odd = await ImportAsync(h, template, "odd");

        Assert.False(odd.Succeeded);
        Assert.StartsWith($"{template}: model 'odd-template': its chat_template (sha256 ", odd.Error);
        Assert.EndsWith("is not one the platform can render (supported: Qwen3, ChatML/Qwen2/SmolLM2, Llama 3, GPT-2 demo).", odd.Error);
        await using var db = await h.DbAsync();
        Assert.Empty(await db.Models.ToListAsync());
        var modelsFolder = h.Services.GetRequiredService<RlhfPaths>().ModelsFolder;
        Assert.True(!Directory.Exists(modelsFolder) || !Directory.EnumerateFileSystemEntries(modelsFolder).Any());
    }
}
