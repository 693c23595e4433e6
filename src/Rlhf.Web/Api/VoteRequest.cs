namespace Rlhf.Web.Api;

/// <summary>A vote through the API: choice -2 (left much better) .. 2 (right much better), as the task showed them.</summary>
public sealed record VoteRequest(int Choice, bool BothBad = false, string? Rationale = null);

/// <summary>A skip through the API, with its reason.</summary>
public sealed record SkipRequest(string Reason);
