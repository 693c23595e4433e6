namespace Rlhf.Web.Api;

/// <summary>A rater's reply to their demonstration task (markdown; not empty).</summary>
public sealed record DemonstrationRequest(string? Text);
