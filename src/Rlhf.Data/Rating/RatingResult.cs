namespace Rlhf.Data.Rating;

/// <summary>The outcome of a submit or skip, with a message for the rater when it was refused.</summary>
public sealed record RatingResult(RatingOutcome Outcome, string? Error = null, long? VoteId = null)
{
    public bool Succeeded => Outcome is RatingOutcome.Stored or RatingOutcome.AlreadyStored;
}
