namespace Rlhf.Core.Identity;

/// <summary>The three roles of the platform. A user may hold several.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Researcher = "Researcher";
    public const string Rater = "Rater";

    /// <summary>Admin or Researcher, for pages both may use.</summary>
    public const string AdminOrResearcher = Admin + "," + Researcher;

    public static IReadOnlyList<string> All { get; } = [Admin, Researcher, Rater];

    /// <summary>The canonical spelling of a role name given in any case, or null when it is not a role.</summary>
    public static string? Normalize(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
