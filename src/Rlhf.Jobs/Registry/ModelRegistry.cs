using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;

namespace Rlhf.Jobs.Registry;

/// <summary>
/// The model registry: checkpoints in the Hugging Face layout of any supported family (gpt2, llama, qwen2, qwen3;
/// single-file or sharded safetensors, F32/F16/BF16), copied into the data folder with their generation config and
/// tokenizer files (<see cref="ModelFiles"/>) and recorded with their lineage (kind, parent, producing job) and
/// model_type. Import validates the whole checkpoint before storing it: config.json and every tensor's name and shape
/// (by loading it), a tokenizer whose vocabulary fits the model's vocab_size, a chat template the platform renders.
/// </summary>
public sealed partial class ModelRegistry(IDbContextFactory<RlhfDbContext> contexts, RlhfPaths paths, AuditLog audit, TimeProvider clock)
{
    public const string ShippedDemoName = "demo-policy";
    /// <summary>The shipped demo policy, relative to the content root.</summary>
    public const string ShippedDemoFolder = "models/demo-policy";

    public async Task<IReadOnlyList<Model>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Models.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
    }

    public async Task<Model?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct);
    }

    /// <summary>The absolute folder of a registered model.</summary>
    public string FolderOf(Model model) => Path.Combine(paths.DataFolder, model.Folder);

    /// <summary>
    /// Validates <paramref name="sourceFolder"/> (config.json + model.safetensors, every tensor's name and shape),
    /// copies it into the registry and records it. Nothing is stored when any check fails.
    /// </summary>
    public async Task<ModelImportResult> ImportAsync(
        string sourceFolder, string name, ModelKind kind, int? parentId, string source, long? producedByJobId,
        string notes, AuditActor? actor, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 200) return ModelImportResult.Fail("Give the model a name of 1 to 200 characters.");
        if (string.IsNullOrWhiteSpace(sourceFolder)) return ModelImportResult.Fail("Give the folder that holds config.json and the model's safetensors.");
        sourceFolder = Path.GetFullPath(sourceFolder.Trim());

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Models.AnyAsync(m => m.Name == name, ct)) return ModelImportResult.Fail($"A model named '{name}' already exists.");
        if (parentId is { } p && !await db.Models.AnyAsync(m => m.Id == p, ct)) return ModelImportResult.Fail($"There is no parent model {p}.");

        CheckpointFacts facts;
        IReadOnlyList<string> files;
        try
        {
            facts = Inspect(sourceFolder, kind);
            files = ModelFiles.Of(sourceFolder);
        }
        catch (CheckpointException ex)
        {
            return ModelImportResult.Fail(ex.Message);
        }

        Directory.CreateDirectory(paths.ModelsFolder);
        var folderName = $"{Slug().Replace(name.ToLowerInvariant(), "-").Trim('-')}-{Guid.NewGuid().ToString("N")[..8]}";
        var staging = Path.Combine(paths.ModelsFolder, $".staging-{folderName}");
        var target = Path.Combine(paths.ModelsFolder, folderName);
        try
        {
            Directory.CreateDirectory(staging);
            foreach (var file in files)
                File.Copy(Path.Combine(sourceFolder, file), Path.Combine(staging, file));
            Directory.Move(staging, target);

            var model = new Model
            {
                Name = name,
                Kind = kind,
                ParentId = parentId,
                ProducedByJobId = producedByJobId,
                Source = source,
                Folder = Path.GetRelativePath(paths.DataFolder, target),
                SizeBytes = new DirectoryInfo(target).EnumerateFiles().Sum(f => f.Length),
                ParameterCount = facts.Parameters,
                ModelType = facts.ModelType,
                NLayer = facts.Layers,
                NEmbd = facts.Hidden,
                NHead = facts.Heads,
                NPositions = facts.Positions,
                VocabSize = facts.VocabSize,
                Notes = notes ?? "",
                CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
                CreatedById = actor?.UserId,
            };
            db.Models.Add(model);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(actor, "model.imported", name, $"{kind}, {facts.ModelType}, {facts.Parameters:N0} parameters, from {sourceFolder}", ct);
            return new ModelImportResult(true, null, model);
        }
        catch
        {
            // Nothing half-written: remove the copy when the row could not be stored.
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            throw;
        }
    }

    /// <summary>Registers the shipped demo policy on first start (when its folder exists and it is not registered yet).</summary>
    public async Task<Model?> EnsureShippedDemoAsync(CancellationToken ct = default)
    {
        var folder = Path.Combine(paths.ContentRoot, ShippedDemoFolder);
        if (!File.Exists(Path.Combine(folder, "model.safetensors"))) return null;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var existing = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Name == ShippedDemoName, ct);
            if (existing is not null) return existing;
        }
        var result = await ImportAsync(folder, ShippedDemoName, ModelKind.Base, null, "shipped", null,
            "The small GPT-2 policy shipped with Rlhf (see docs/demo-model.md).", null, ct);
        return result.Succeeded ? result.Model
            : throw new InvalidOperationException($"The shipped demo model in {folder} is not valid: {result.Error}");
    }

    private sealed record CheckpointFacts(string ModelType, int Layers, int Hidden, int Heads, int Positions, int VocabSize, long Parameters);

    /// <summary>
    /// Loads the whole checkpoint (model_type, every key and shape checked), checks its tokenizer and chat template
    /// (<see cref="ModelTokenizers.LoadRenderable"/>) and counts its parameters.
    /// </summary>
    private static CheckpointFacts Inspect(string folder, ModelKind kind)
    {
        Rlhf.Training.TorchThreads.EnsureConfigured();
        using var scope = torch.NewDisposeScope();
        using IDecoderModel model = kind == ModelKind.Reward ? ModelLoader.LoadRewardModel(folder) : ModelLoader.LoadLanguageModel(folder);
        ModelTokenizers.LoadRenderable(folder, model.VocabSize);
        var parameters = model.Module.parameters().Sum(p => p.numel());
        return model switch
        {
            Gpt2LMHeadModel m => Gpt2Facts(m.Config, parameters),
            Gpt2ForSequenceClassification m => Gpt2Facts(m.Config, parameters),
            LlamaForCausalLM m => LlamaFacts(m.Config, parameters),
            LlamaForSequenceClassification m => LlamaFacts(m.Config, parameters),
            _ => throw new CheckpointException(folder, $"model_type {model.ModelType} has no registry entry"),
        };
    }

    private static CheckpointFacts Gpt2Facts(Gpt2Config c, long parameters) => new("gpt2", c.NLayer, c.NEmbd, c.NHead, c.NPositions, c.VocabSize, parameters);

    private static CheckpointFacts LlamaFacts(LlamaConfig c, long parameters)
        => new(c.ModelType, c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.MaxPositionEmbeddings, c.VocabSize, parameters);

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex Slug();
}
