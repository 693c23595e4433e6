using Rlhf.Core.Projects;

namespace Rlhf.Data.Projects;

public sealed record ProjectSummary(int Id, string Name, ProjectStatus Status, int Overlap, int Prompts, int Comparisons, int CompleteComparisons, int Votes)
{
    public ProjectKind Kind { get; init; }
    /// <summary>A demonstration project's demonstrations that count (accepted ones when it reviews them).</summary>
    public int Demonstrations { get; init; }
}
