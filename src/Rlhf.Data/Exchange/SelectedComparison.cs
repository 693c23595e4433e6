using Rlhf.Core.Projects;
using Rlhf.Core.Rating;

namespace Rlhf.Data.Exchange;

/// <summary>One comparison of a project under a <see cref="PreferencePolicy"/>: what the selection made of it and, for a pair, its texts.</summary>
public sealed record SelectedComparison(Comparison Comparison, PairSelection Selection, PreferenceTexts? Texts);
