using Rlhf.Training.Reward;

namespace Rlhf.Training.Dpo;

/// <summary>What a finished <see cref="DpoTrainer.Train"/> reports.</summary>
/// <param name="Steps">Optimizer steps of the whole run (including those before a resume).</param>
/// <param name="FinalValidation">The eval/* metrics of the saved policy (empty without validation pairs).</param>
/// <param name="Validation">Each validation pair's implicit rewards under the saved policy, in input order.</param>
/// <param name="Skipped">The pairs left out, with why.</param>
public sealed record DpoResult(long Steps, IReadOnlyDictionary<string, double> FinalValidation, int TrainPairs, int ValidationPairs,
    IReadOnlyList<ValidationPairResult> Validation, IReadOnlyList<DpoSkippedPair> Skipped)
{
    /// <summary>Share of validation pairs with a higher implicit reward for the chosen response; NaN without validation pairs.</summary>
    /// <summary>Steps of all the epochs; more than <see cref="Steps"/> when the run stopped at its CPU budget.</summary>
    public long PlannedSteps { get; init; }

    public double ValidationAccuracy => FinalValidation.GetValueOrDefault("eval/rewards/accuracies", double.NaN);
}
