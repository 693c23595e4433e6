using Rlhf.Jobs.Runs;

namespace Rlhf.Web.Components.Pages.Runs;

/// <summary>Which metrics (TRL's names) share a chart on a run's page and on the compare page, per run kind.</summary>
internal static class RunFamilies
{
    public static readonly IReadOnlyList<(string Title, string[] Names)> Reward =
    [
        ("Loss", ["train/loss", "eval/loss"]),
        ("Accuracy", ["train/accuracy", "eval/accuracy"]),
        ("Margin (r chosen − r rejected)", ["train/margin", "eval/margin"]),
    ];

    public static readonly IReadOnlyList<(string Title, string[] Names)> Ppo =
    [
        ("Scores (proxy reward)", ["objective/scores", "objective/rlhf_reward"]),
        ("KL to the reference (nats)", ["objective/kl", "objective/non_score_reward"]),
        ("Entropy", ["objective/entropy"]),
        ("Clip fractions", ["policy/clipfrac_avg", "val/clipfrac_avg"]),
        ("Losses", ["loss/policy_avg", "loss/value_avg"]),
        ("Approx. KL of an update", ["policy/approxkl_avg"]),
    ];

    public static readonly IReadOnlyList<(string Title, string[] Names)> Dpo =
    [
        ("Loss", ["train/loss", "eval/loss"]),
        ("Reward accuracy", ["train/rewards/accuracies", "eval/rewards/accuracies"]),
        ("Reward margin (chosen − rejected)", ["train/rewards/margins", "eval/rewards/margins"]),
        ("Implicit rewards", ["train/rewards/chosen", "train/rewards/rejected"]),
        ("Log-probs of the responses", ["train/logps/chosen", "train/logps/rejected"]),
        ("Mean logits", ["train/logits/chosen", "train/logits/rejected"]),
    ];

    public static readonly IReadOnlyList<(string Title, string[] Names)> Grpo =
    [
        ("Reward", ["reward", "reward_std"]),
        ("KL to the reference (k3, nats per token)", ["kl"]),
        ("Entropy", ["entropy"]),
        ("Completion length (tokens)", ["completions/mean_length", "completions/mean_terminated_length"]),
        ("Clip ratios", ["clip_ratio/region_mean", "clip_ratio/low_mean", "clip_ratio/high_mean"]),
        ("Loss and gradient norm", ["loss", "grad_norm"]),
        ("Groups without signal", ["frac_reward_zero_std", "completions/clipped_ratio"]),
    ];

    public static IReadOnlyList<(string Title, string[] Names)> Of(RunKind kind) =>
        kind == RunKind.Ppo ? Ppo : kind == RunKind.Dpo ? Dpo : kind == RunKind.Grpo ? Grpo : Reward;
}
