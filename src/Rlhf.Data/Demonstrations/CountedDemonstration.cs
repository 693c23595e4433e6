namespace Rlhf.Data.Demonstrations;

/// <summary>A demonstration that counts (<see cref="Queries.DemonstrationQueries.Counted"/>) with its prompt: one SFT example.</summary>
public sealed record CountedDemonstration(long Id, long PromptId, string Prompt, string? MessagesJson, string Reply);
