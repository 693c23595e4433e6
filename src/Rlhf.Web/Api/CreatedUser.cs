namespace Rlhf.Web.Api;

/// <summary>The account just made; the generated password (when none was sent) is shown only in this answer.</summary>
public sealed record CreatedUser(string Id, string? GeneratedPassword);
