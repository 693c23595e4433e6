using Rlhf.Core.Rating;

namespace Rlhf.Data.Projects;

/// <summary>A comparison as researchers see it: texts, sources, votes so far and its gold answer.</summary>
public sealed record ComparisonRow(
    long Id, string Prompt, string ResponseA, string SourceA, string ResponseB, string SourceB,
    int Votes, int RequiredVotes, double? MeanStrength, GoldSide? GoldSide, int? GoldMinimumStrength);
