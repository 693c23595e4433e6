namespace Rlhf.Web.Api;

/// <summary>A new rater pool: a unique name and an optional description.</summary>
public sealed record CreatePoolRequest(string? Name, string? Description = null);
