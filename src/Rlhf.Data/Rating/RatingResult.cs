namespace Rlhf.Data.Rating;

/// <summary>The outcome of a submit or skip.</summary>
public enum RatingOutcome
{
    Stored,
    /// <summary>The same assignment was already submitted: nothing new stored, the first vote stands.</summary>
    AlreadyStored,
    /// <summary>No such assignment for this rater (another rater's, or none): nothing stored.</summary>
    NotFound,
    /// <summary>Refused with a message (bad input, an ended assignment).</summary>
    Invalid,
}

public sealed record RatingResult(RatingOutcome Outcome, string? Error = null, long? VoteId = null)
{
    public bool Succeeded => Outcome is RatingOutcome.Stored or RatingOutcome.AlreadyStored;
}
