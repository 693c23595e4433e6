namespace Rlhf.Core.Rating;

/// <summary>A rater's record on gold pairs: how many they answered and how many of those were correct.</summary>
/// <param name="Answered">Gold votes submitted (not voided), at least 0.</param>
/// <param name="Correct">Of those, the ones <see cref="GoldGrading.IsCorrect"/> accepted; between 0 and Answered.</param>
public sealed record RaterGoldStats(int Answered, int Correct)
{
    /// <summary>Gold votes submitted, validated so an accuracy above 1 or below 0 cannot be built.</summary>
    public int Answered { get; } = Answered >= 0
        ? Answered
        : throw new ArgumentOutOfRangeException(nameof(Answered), Answered, "Answered cannot be negative.");

    /// <summary>Correct gold votes, between 0 and <see cref="Answered"/>.</summary>
    public int Correct { get; } = Correct >= 0 && Correct <= Answered
        ? Correct
        : throw new ArgumentOutOfRangeException(nameof(Correct), Correct, "Correct must lie between 0 and Answered.");

    /// <summary>Correct / Answered, or null before the first gold answer (no evidence is not 0% accuracy).</summary>
    public double? Accuracy => Answered == 0 ? null : (double)Correct / Answered;
}
