using Rlhf.Core.Projects;
using Rlhf.Core.Rating;

namespace Rlhf.Data.Rating;

/// <summary>
/// What a rater sends for a vote, checked the same way whether the vote is new (<see cref="RatingService.SubmitAsync"/>)
/// or a change of an earlier one (<see cref="VoteHistoryService.ChangeAsync"/>): one of the five choices, a rationale of
/// at most <see cref="RatingService.MaxRationaleLength"/> characters (trimmed), and one at all where the project asks.
/// </summary>
internal static class VoteInput
{
    /// <summary>The rationale as it is stored: trimmed, empty when none was given.</summary>
    public static string Rationale(string? rationale) => (rationale ?? "").Trim();

    /// <summary>Why the choice or the (trimmed) rationale cannot be stored in any project; null when they can.</summary>
    public static RatingResult? Problem(int screenChoice, string rationale)
    {
        if (!VoteStrength.IsValid(screenChoice)) return new RatingResult(RatingOutcome.Invalid, "Choose one of the five options.");
        if (rationale.Length > RatingService.MaxRationaleLength)
            return new RatingResult(RatingOutcome.Invalid, $"The rationale is longer than {RatingService.MaxRationaleLength} characters.");
        return null;
    }

    /// <summary>Refused when the project asks for a rationale and the (trimmed) one is empty; null otherwise.</summary>
    public static RatingResult? MissingRationale(Project project, string rationale) =>
        project.RationaleRequired && rationale.Length == 0 ? new RatingResult(RatingOutcome.Invalid, "This project asks for a rationale.") : null;
}
