namespace Rlhf.Core.Rating;

/// <summary>One not-voided vote on a comparison, as the pair selection sees it: who cast it and its strength (-2..2).</summary>
public readonly record struct PreferenceVote(string RaterId, int Strength);
