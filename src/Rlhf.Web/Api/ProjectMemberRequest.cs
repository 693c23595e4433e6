namespace Rlhf.Web.Api;

/// <summary>A researcher to add to a project, by e-mail.</summary>
public sealed record ProjectMemberRequest(string Email);
