namespace Rlhf.Web.Api;

/// <summary>A new invitation link: days of validity (1 to 365) and uses (1, single-use, to 10,000); the Pools page's defaults when left out.</summary>
public sealed record InvitationRequest(int? ValidDays = null, int? MaxUses = null);
