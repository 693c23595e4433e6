namespace Rlhf.Web.Api;

/// <summary>A new rater's account through an invitation.</summary>
public sealed record AcceptInvitationRequest(string? Email, string? Password);
