using Rlhf.Data.Exchange;

namespace Rlhf.Jobs.Imports;

/// <summary>
/// An import job's payload: a file the caller saved under the data folder's imports/ (see <see cref="ImportJobs"/>),
/// the project it goes into, and how to read it. The job deletes the file when it ends, whatever the outcome.
/// </summary>
public sealed record ImportJobRequest
{
    public int ProjectId { get; init; }
    /// <summary>Absolute path of the uploaded file; must lie in RlhfPaths.DataFolder/imports.</summary>
    public string FilePath { get; init; } = "";
    /// <summary>The name the user gave the file (shown in the log and audit only).</summary>
    public string FileName { get; init; } = "";
    public ImportFormat Format { get; init; }
    public ImportOptions Options { get; init; } = new();
    /// <summary>Who queued it, for the audit trail.</summary>
    public string? ActorId { get; init; }
    public string ActorName { get; init; } = "system";
}
