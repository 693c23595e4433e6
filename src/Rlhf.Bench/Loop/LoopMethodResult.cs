namespace Rlhf.Bench.Loop;

/// <summary>
/// One method's part of `rlhf bench loop`. Gold = the demo judge's score (the truth in this simulation); proxy = the
/// loop's reward model's score. "Before" is the reference (starting) policy, "after" the trained policy, both sampled
/// on the same held-out prompts with the same settings ("rate against the reference").
/// </summary>
public sealed record LoopMethodResult
{
    /// <summary><see cref="LoopMethods"/>: ppo, dpo or grpo.</summary>
    public required string Method { get; init; }
    public required long JobId { get; init; }
    /// <summary>Updates (PPO, GRPO) or optimizer steps (DPO) made, and planned.</summary>
    public required long Steps { get; init; }
    public required long PlannedSteps { get; init; }
    /// <summary>"steps" when the run made all its steps, "cpu budget" when it stopped at its CPU budget first.</summary>
    public required string StoppedBy { get; init; }
    /// <summary>Process CPU time of the training job (every thread), in minutes: the budget's measure.</summary>
    public required double CpuMinutes { get; init; }
    public required double TrainSeconds { get; init; }
    public required int HeldOutPrompts { get; init; }
    public required double GoldBefore { get; init; }
    public required double GoldAfter { get; init; }
    public double GoldGain => GoldAfter - GoldBefore;
    public required double ProxyBefore { get; init; }
    public required double ProxyAfter { get; init; }
    /// <summary>
    /// KL(π‖π_ref) at the end, measured alike for every method (<see cref="Rlhf.Training.Sampling.ReferenceKl"/>): the
    /// mean summed per-token log-ratio of the trained policy's own samples on the held-out prompts, nats per response.
    /// </summary>
    public required double Kl { get; init; }
    public double SqrtKl => Math.Sqrt(Math.Max(0, Kl));
    /// <summary>The trainer's own KL at its last update (PPO objective/kl, GRPO kl); NaN for DPO, which has none.</summary>
    public required double TrainKl { get; init; }
    /// <summary>Share of the simulated raters' decisive votes that prefer the trained policy's response (ties left out).</summary>
    public required double SimulatedWinRate { get; init; }
    /// <summary>Wall seconds of rating against the reference: generating, scoring, the KL estimate and the simulated votes.</summary>
    public required double EvaluateSeconds { get; init; }
    /// <summary>PPO only: gold and proxy of the training rollouts against sqrt(objective/kl) (empty for DPO and GRPO).</summary>
    public required IReadOnlyList<LoopCurvePoint> Curve { get; init; }
}
