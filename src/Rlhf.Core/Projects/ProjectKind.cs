namespace Rlhf.Core.Projects;

/// <summary>What raters do in a project, chosen when it is made: compare two responses, or write the reply themselves.</summary>
public enum ProjectKind
{
    /// <summary>Raters compare two responses to a prompt (votes: preference data).</summary>
    Comparisons = 0,
    /// <summary>Raters write the reply they would want to a prompt (demonstrations: SFT data).</summary>
    Demonstrations = 1,
}
