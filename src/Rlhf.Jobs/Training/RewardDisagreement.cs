namespace Rlhf.Jobs.Training;

/// <summary>A validation pair the trained reward model ranks against the raters.</summary>
public sealed record RewardDisagreement(string Prompt, string Chosen, string Rejected, double ChosenReward, double RejectedReward);
