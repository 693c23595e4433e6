namespace Rlhf.Training.Dpo;

/// <summary>A pair the trainer leaves out, and why ("chosen and rejected are identical").</summary>
/// <param name="PairIndex">Index of the pair in the list given to the trainer.</param>
public sealed record DpoSkippedPair(int PairIndex, string Reason);
