using System.Globalization;

namespace Rlhf.Training.Optim;

/// <summary>
/// How every trainer checks the AdamW settings it shares with the others (peak learning rate, decoupled weight
/// decay, eps, the gradient-clip norm), so that a value is judged and worded the same in every config.
/// Each check returns null when the value is usable, else what is wrong ("must be > 0 (got 0)").
/// </summary>
public static class AdamWChecks
{
    public static string? LearningRate(double lr) => lr > 0 && double.IsFinite(lr) ? null : $"must be > 0 (got {F(lr)})";

    public static string? WeightDecay(double weightDecay) => weightDecay >= 0 && double.IsFinite(weightDecay) ? null : $"must be >= 0 (got {F(weightDecay)})";

    public static string? Epsilon(double eps) => eps > 0 && double.IsFinite(eps) ? null : $"must be > 0 (got {F(eps)})";

    /// <summary>The share of the steps with a linear warm-up of the learning rate (the schedule every trainer uses).</summary>
    public static string? WarmupRatio(double ratio) => ratio is >= 0 and < 1 ? null : $"must be >= 0 and < 1 (got {F(ratio)})";

    public static string? MaxGradNorm(double norm) => norm >= 0 && double.IsFinite(norm) ? null : $"must be >= 0, 0 turns clipping off (got {F(norm)})";

    // The same checks as configs name them: the property (LearningRate, ...) and the CLI option (--lr, ...).
    public static void AddLearningRate(List<ConfigProblem> problems, double lr) => Add(problems, "LearningRate", "--lr", LearningRate(lr));

    public static void AddWeightDecay(List<ConfigProblem> problems, double weightDecay) => Add(problems, "WeightDecay", "--weight-decay", WeightDecay(weightDecay));

    public static void AddAdamEpsilon(List<ConfigProblem> problems, double eps) => Add(problems, "AdamEpsilon", "--adam-eps", Epsilon(eps));

    public static void AddWarmupRatio(List<ConfigProblem> problems, double ratio) => Add(problems, "WarmupRatio", "--warmup-ratio", WarmupRatio(ratio));

    public static void AddMaxGradNorm(List<ConfigProblem> problems, double norm) => Add(problems, "MaxGradNorm", "--max-grad-norm", MaxGradNorm(norm));

    private static void Add(List<ConfigProblem> problems, string setting, string option, string? text)
    {
        if (text is not null) problems.Add(new(setting, option, text));
    }

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
