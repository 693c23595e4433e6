using Rlhf.Core.Registry;

namespace Rlhf.Jobs.Registry;

/// <summary>A model import job's payload: a folder inside the <see cref="ModelImportRoot"/>, and how to register it.</summary>
public sealed record ModelImportRequest
{
    /// <summary>The folder as the user gave it: relative to the import folder.</summary>
    public string Folder { get; init; } = "";
    public string Name { get; init; } = "";
    public ModelKind Kind { get; init; } = ModelKind.Base;
    /// <summary>Who queued it, for the audit trail.</summary>
    public string? ActorId { get; init; }
    public string ActorName { get; init; } = "system";
}
