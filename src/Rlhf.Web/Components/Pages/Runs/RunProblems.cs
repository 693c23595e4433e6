using Rlhf.Jobs.Runs;

namespace Rlhf.Web.Components.Pages.Runs;

/// <summary>A run form's view of its settings' problems: the message under each field, the rest as sentences.</summary>
internal sealed class RunProblems(IReadOnlyList<RunSettingsProblem> problems)
{
    public static RunProblems None { get; } = new([]);

    public bool Any => problems.Count > 0;

    /// <summary>What to show under the field of <paramref name="field"/>, or null when it has no problem.</summary>
    public string? Of(string field) => string.Join(" ", problems.Where(p => p.Field == field).Select(p => p.Message)) is { Length: > 0 } m ? m : null;

    /// <summary>The problems of settings the form has no field for, as whole sentences.</summary>
    public IReadOnlyList<string> Unplaced(IReadOnlyCollection<string> placed) =>
        problems.Where(p => !placed.Contains(p.Field)).Select(p => p.ToString()).ToList();
}
