using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Training.Checkpoints;
using TorchSharp;

namespace Rlhf.Jobs.Registry;

/// <summary>
/// The model registry: checkpoints in the Hugging Face GPT-2 layout, copied into the data folder and recorded
/// with their lineage (kind, parent, producing job). Import validates the whole checkpoint before storing it.
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
        if (string.IsNullOrWhiteSpace(sourceFolder)) return ModelImportResult.Fail("Give the folder that holds config.json and model.safetensors.");
        sourceFolder = Path.GetFullPath(sourceFolder.Trim());

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Models.AnyAsync(m => m.Name == name, ct)) return ModelImportResult.Fail($"A model named '{name}' already exists.");
        if (parentId is { } p && !await db.Models.AnyAsync(m => m.Id == p, ct)) return ModelImportResult.Fail($"There is no parent model {p}.");

        CheckpointFacts facts;
        try
        {
            facts = Inspect(sourceFolder, kind);
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
            foreach (var file in new[] { "config.json", "model.safetensors" })
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
                NLayer = facts.Config.NLayer,
                NEmbd = facts.Config.NEmbd,
                NHead = facts.Config.NHead,
                NPositions = facts.Config.NPositions,
                VocabSize = facts.Config.VocabSize,
                Notes = notes ?? "",
                CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
                CreatedById = actor?.UserId,
            };
            db.Models.Add(model);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(actor, "model.imported", name, $"{kind}, {facts.Parameters:N0} parameters, from {sourceFolder}", ct);
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

    private sealed record CheckpointFacts(Rlhf.Training.Models.Gpt2Config Config, long Parameters);

    /// <summary>Loads the whole checkpoint (every key and shape checked) and counts its parameters.</summary>
    private static CheckpointFacts Inspect(string folder, ModelKind kind)
    {
        Rlhf.Training.TorchThreads.EnsureConfigured();
        using var scope = torch.NewDisposeScope();
        torch.nn.Module module = kind == ModelKind.Reward
            ? Gpt2Checkpoint.LoadRewardModel(folder)
            : Gpt2Checkpoint.LoadLanguageModel(folder);
        using (module)
        {
            var config = Gpt2Checkpoint.LoadConfig(folder);
            return new CheckpointFacts(config, module.parameters().Sum(p => p.numel()));
        }
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex Slug();
}
