using Rlhf.Jobs.Training;
using Rlhf.Training;
using Rlhf.Training.Dpo;
using Rlhf.Training.Grpo;
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

    /// <summary>
    /// A site GRPO run (<see cref="GrpoRunDefaults"/>) sized like the PPO run: 60 updates of 4 prompts x 8 completions,
    /// sampled at PPO's temperature (0.7) and length, so that rating against the reference samples both policies alike.
    /// </summary>
    public GrpoConfig Grpo { get; init; } = GrpoRunDefaults.Config with
    {
        Steps = 60, MaxCompletionLength = DefaultResponseLength, Temperature = 0.7, SampleEvery = 3, CheckpointEvery = 1000,
    };

    /// <summary>
    /// DPO on the votes' pairs (the same pairs as the reward run): 2 epochs of 8 pairs, lr 2e-5 (DpoConfig's 5e-6 moves a
    /// 5.5M-parameter model little in 2 epochs), the reward run's max length.
    /// </summary>
    public DpoConfig Dpo { get; init; } = new()
    {
        Epochs = 2, BatchPairs = 8, LearningRate = 2e-5, MaxLength = 160, EvalEvery = 10, CheckpointEvery = 1000,
    };

    /// <summary>The methods to run, in order, on the same generation, votes and base (<see cref="LoopMethods"/>).</summary>
    public IReadOnlyList<string> Methods { get; init; } = [LoopMethods.Ppo];

    /// <summary>Each method's training budget in process CPU-minutes; it trains until the budget or its step count ends. Null: step counts only.</summary>
    public double? BudgetCpuMinutes { get; init; }

    public int Seed { get; init; } = 1;

    public string? Problem()
    {
        if (Prompts is < 20 or > 100_000) return "prompts must be between 20 and 100000";
        if (HeldOutFraction is <= 0 or >= 0.9) return "held-out must be between 0 and 0.9 (exclusive)";
        if (ResponsesPerPrompt is < 2 or > 8) return "responses-per-prompt must be between 2 and 8";
        if (ResponseLength is < 4 or > 200) return "response-length must be between 4 and 200";
        if (Raters < Overlap || Overlap < 1) return "raters must be at least overlap, and overlap at least 1";
        if (Methods.Count == 0 || Methods.Any(m => !LoopMethods.All.Contains(m)) || Methods.Distinct().Count() != Methods.Count)
            return $"method must be one of {string.Join(", ", LoopMethods.All)} (each once)";
        // DPO samples nothing, so "rate against the reference" samples it as the site's PPO defaults do: the others must match.
        if (Methods.Contains(LoopMethods.Dpo) && ResponseLength != PpoRunDefaults.Config.ResponseLength)
            return $"response-length must be {PpoRunDefaults.Config.ResponseLength} with dpo (its policy is rated on replies of the site's PPO length)";
        if (CpuBudget.Problem(BudgetCpuMinutes * 60) is not null) return "budget-cpu-minutes must be a positive number";
        return Rater.Problem() ?? Ppo.Validate().FirstOrDefault() ?? Reward.Validate().FirstOrDefault()
            ?? (Methods.Contains(LoopMethods.Grpo) ? Grpo.Validate().FirstOrDefault() : null)
            ?? (Methods.Contains(LoopMethods.Dpo) ? Dpo.Validate().FirstOrDefault() : null);
    }
}
