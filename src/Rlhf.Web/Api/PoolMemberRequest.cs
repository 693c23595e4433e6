namespace Rlhf.Web.Api;

/// <summary>Adds an existing account to a pool by its e-mail, as on the Pools page.</summary>
public sealed record PoolMemberRequest(string? Email);
