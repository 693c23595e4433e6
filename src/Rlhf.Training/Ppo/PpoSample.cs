namespace Rlhf.Training.Ppo;

/// <summary>
/// One row of the samples table: the plain prompt, the decoded response (truncated after its stop token, which is
/// not shown), the score PPO used for it (the scorer's, minus missing_eos_penalty when it has no EOS) and whether it
/// ended with the stop token.
/// </summary>
public sealed record PpoSample(long Step, string Prompt, string Response, double Score, bool HasEos);
