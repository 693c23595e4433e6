namespace Rlhf.Training.Ppo;

/// <summary>The statistics TRL records for one PPO minibatch, and each model's gradient norm before clipping.</summary>
public sealed record PpoMinibatchStats(double ApproxKl, double PgClipfrac, double PgLoss, double VfLoss, double VfClipfrac,
    double Entropy, double RatioMean, double PolicyGradNorm, double ValueGradNorm);
