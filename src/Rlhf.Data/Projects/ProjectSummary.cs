using Rlhf.Core.Projects;

namespace Rlhf.Data.Projects;

public sealed record ProjectSummary(int Id, string Name, ProjectStatus Status, int Overlap, int Prompts, int Comparisons, int CompleteComparisons, int Votes);
