namespace Rlhf.Web.Api;

/// <summary>
/// An invitation just made: its id (to revoke it), the secret token and the sign-up link with it. The token is shown only
/// in this answer; the site keeps just its hash. Redeem it in a browser at the link or with POST /api/v1/invitations/{token}/accept.
/// </summary>
public sealed record CreatedInvitation(int Id, int PoolId, string Token, string Link);
