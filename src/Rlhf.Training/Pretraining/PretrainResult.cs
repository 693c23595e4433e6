using Rlhf.Training.Models;

namespace Rlhf.Training.Pretraining;

/// <summary>What <see cref="Pretrainer.Train"/> returns. The caller owns (and disposes) <see cref="Model"/>.</summary>
public sealed record PretrainResult(
    Gpt2LMHeadModel Model,
    double FirstLoss,
    double FinalLoss,
    double FinalLossAverage,
    double? ValidationLoss,
    long Tokens,
    long Parameters,
    double Seconds);
