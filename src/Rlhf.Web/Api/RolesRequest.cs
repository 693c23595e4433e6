namespace Rlhf.Web.Api;

/// <summary>A user's roles as they should be afterwards (the whole set, not a change).</summary>
public sealed record RolesRequest(string[]? Roles);
