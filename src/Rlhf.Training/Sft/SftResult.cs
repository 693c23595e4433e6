namespace Rlhf.Training.Sft;

/// <summary>What an SFT run did: its steps, the split, the tokens trained on and the final validation numbers (NaN without validation).</summary>
public sealed record SftResult(long Steps, int TrainExamples, int ValidationExamples, long NumTokens, double FinalEvalLoss,
    double FinalEvalMeanTokenAccuracy, bool IsAdapter);
