namespace Rlhf.Jobs.Runs;

/// <summary>
/// The settings of a run that trains a policy on a project's prompts (PPO, GRPO): what closing the loop needs to rate
/// the new policy against its reference on the prompts the run held out.
/// </summary>
public interface IPolicyRunSettings : IRunSettings
{
    /// <summary>The prompts come from this project.</summary>
    int ProjectId { get; }

    /// <summary>Share of the project's prompts held out (not trained on) for closing the loop with raters.</summary>
    double HeldOutFraction { get; }

    /// <summary>How the run sampled its responses, which the rating project's responses repeat: length, temperature, seed.</summary>
    (int MaxNewTokens, double Temperature, long Seed) Sampling();
}
