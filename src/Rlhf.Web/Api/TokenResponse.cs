namespace Rlhf.Web.Api;

/// <summary>A personal API token made by signing in through the API: send it as <c>Authorization: Bearer ...</c>.</summary>
public sealed record TokenResponse(string Token, DateTime ExpiresAtUtc);
