namespace Rlhf.Bench.Site;

/// <summary>A simulated rater: their account, and the secret of their API token (or their password for the browser).</summary>
internal sealed record RaterAccount(string UserId, string Email, string Secret);
