using System.Text.Json.Serialization;

namespace Rlhf.Web.Api;

/// <summary>
/// A vote through the API: choice -2 (left much better) .. 2 (right much better), as the task showed them. The choice
/// is required: an empty body is refused, not stored as a tie.
/// </summary>
public sealed record VoteRequest([property: JsonRequired] int Choice, bool BothBad = false, string? Rationale = null);

/// <summary>A skip through the API, with its reason.</summary>
public sealed record SkipRequest([property: JsonRequired] string Reason);
