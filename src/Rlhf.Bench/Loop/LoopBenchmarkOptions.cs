using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;
using Rlhf.Demo.Simulation;

namespace Rlhf.Bench.Loop;

/// <summary>
/// Sizes of `rlhf bench loop`. The defaults finish in well under 20 minutes on 2 CPU cores with the shipped demo policy
/// (5.5M parameters); every stage is a real job of the platform.
/// </summary>
public sealed record LoopBenchmarkOptions
{
    /// <summary>Demo-task prompts (customer messages) of the project; <see cref="HeldOutFraction"/> of them are kept out of PPO.</summary>
    public int Prompts { get; init; } = 256;
    public double HeldOutFraction { get; init; } = 0.2;
    public int PromptSeed { get; init; } = 11;

    /// <summary>Responses sampled per prompt in the first generation; every pair of them is a comparison (3 -> 3 pairs).</summary>
    public int ResponsesPerPrompt { get; init; } = 3;

    /// <summary>Tokens per generated response (first generation, PPO rollouts and the generation after).</summary>
    public int ResponseLength { get; init; } = DefaultResponseLength;
    private const int DefaultResponseLength = 48;

    /// <summary>Simulated raters and votes per comparison.</summary>
    public int Raters { get; init; } = 5;
    public int Overlap { get; init; } = 3;
    public SimulatedRaterOptions Rater { get; init; } = new();

    public RewardTrainingConfig Reward { get; init; } = new()
    {
        Epochs = 4, BatchPairs = 8, LearningRate = 1e-4, MaxLength = 160, EvalEvery = 10, CheckpointEvery = 1000,
    };

    /// <summary>
    /// A site PPO run (<see cref="PpoRunDefaults"/>) sized for the benchmark: 60 updates, a stronger kl_coef, samples every
    /// 3 updates and no checkpoints (a benchmark is never resumed).
    /// </summary>
    public PpoConfig Ppo { get; init; } = PpoRunDefaults.Config with
    {
        Steps = 60, ResponseLength = DefaultResponseLength, KlCoef = 0.2, SampleEvery = 3, CheckpointEvery = 1000,
    };

    public int Seed { get; init; } = 1;

    public string? Problem()
    {
        if (Prompts is < 20 or > 100_000) return "prompts must be between 20 and 100000";
        if (HeldOutFraction is <= 0 or >= 0.9) return "held-out must be between 0 and 0.9 (exclusive)";
        if (ResponsesPerPrompt is < 2 or > 8) return "responses-per-prompt must be between 2 and 8";
        if (ResponseLength is < 4 or > 200) return "response-length must be between 4 and 200";
        if (Raters < Overlap || Overlap < 1) return "raters must be at least overlap, and overlap at least 1";
        return Rater.Problem() ?? Ppo.Validate().FirstOrDefault() ?? Reward.Validate().FirstOrDefault();
    }
}
