using Rlhf.Data.Audit;
using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Registry;

/// <summary>
/// Checks and registers a checkpoint folder from the <see cref="ModelImportRoot"/> in the job runner, not in the site's
/// request: reading and checking a checkpoint takes memory and CPU in proportion to its size. Not resumable: the
/// registry stores nothing until every check passed, so a runner that dies mid-import leaves nothing behind.
/// </summary>
public sealed class ModelImportJobHandler(ModelRegistry registry, ModelImportRoot root) : IJobHandler
{
    public const string JobKind = "model-import";

    public string Kind => JobKind;
    public bool CanResume => false;

    public async Task RunAsync(JobContext context, CancellationToken ct)
    {
        var request = context.Payload<ModelImportRequest>();
        var folder = root.Resolve(request.Folder) ?? throw new JobFailedException(root.NotThere(request.Folder));
        await context.LogAsync($"Checking {folder} as {request.Kind.ToString().ToLowerInvariant()} model '{request.Name}'.", ct: ct);
        var result = await registry.ImportAsync(folder, request.Name, request.Kind, null, "import", context.Job.Id, "",
            new AuditActor(request.ActorId, request.ActorName), ct);
        if (!result.Succeeded) throw new JobFailedException($"Nothing imported: {result.Error}");
        var summary = $"Imported model {result.Model!.Id} '{result.Model.Name}' ({result.Model.ParameterCount:N0} parameters).";
        await context.LogAsync(summary, ct: ct);
        await context.ReportAsync(1, summary, ct);
    }
}
