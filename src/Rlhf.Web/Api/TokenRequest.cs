namespace Rlhf.Web.Api;

/// <summary>Sign in through the API: e-mail and password, optionally the token's name and days of validity.</summary>
public sealed record TokenRequest(string? Email, string? Password, string? Name = null, int? ValidDays = null);
