namespace Rlhf.Bench.Loop;

/// <summary>The preference-tuning methods `rlhf bench loop` can run on the same votes: --method NAME, or all with --compare.</summary>
public static class LoopMethods
{
    /// <summary>Reward model + PPO against it (the default, and the loop's only method before issue 14).</summary>
    public const string Ppo = "ppo";
    /// <summary>Direct Preference Optimization on the votes' pairs, no reward model.</summary>
    public const string Dpo = "dpo";
    /// <summary>Group-relative policy optimisation against the same reward model as PPO, no value model.</summary>
    public const string Grpo = "grpo";

    public static IReadOnlyList<string> All { get; } = [Ppo, Dpo, Grpo];
}
