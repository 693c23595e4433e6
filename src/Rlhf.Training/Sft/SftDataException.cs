namespace Rlhf.Training.Sft;

/// <summary>
/// SFT data that cannot be trained on, with every problem found, one per example and each naming it as the import does
/// ("line 3: field 'completion' is empty"). The message lists the first few.
/// </summary>
public sealed class SftDataException(IReadOnlyList<string> problems)
    : FormatException(problems.Count == 1 ? problems[0]
        : $"{problems.Count} examples cannot be used: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? "; ..." : "")}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
