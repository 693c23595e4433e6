namespace Rlhf.Data.Demonstrations;

/// <summary>One prompt of a demonstration project with the raters' demonstrations and the reference (gold) reply, if any.</summary>
public sealed record PromptDemonstrations(long PromptId, string Prompt, string? Reference, IReadOnlyList<DemonstrationRow> Demonstrations);
