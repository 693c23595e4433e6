namespace Rlhf.Jobs.Training;

/// <summary>
/// Which prompts a rating against the reference uses: the run's held-out prompts (the default), or every prompt of
/// another project (<see cref="FromProjectId"/>, say a curated evaluation set); at most <see cref="MaxPrompts"/> of them,
/// drawn with the run's seed so the same choice gives the same prompts.
/// </summary>
public sealed record RatingPrompts(int? FromProjectId = null, int? MaxPrompts = null)
{
    /// <summary>The most prompts one rating project takes.</summary>
    public const int MostPrompts = 5_000;

    /// <summary>The problem with this choice, or null.</summary>
    public string? Problem() => MaxPrompts is < 1 or > MostPrompts ? $"At most: give a number of prompts between 1 and {MostPrompts:N0}, or leave it empty for all." : null;
}
