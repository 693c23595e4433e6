namespace Rlhf.Web.Api;

/// <summary>A new account made by an admin: e-mail, roles (Admin, Researcher, Rater), and a password or none (one is generated).</summary>
public sealed record CreateUserRequest(string? Email, string[]? Roles, string? Password = null);
