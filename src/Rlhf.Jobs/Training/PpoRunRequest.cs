using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Training;

/// <summary>A PPO run: fine-tune a registry policy against a registry reward model on a project's prompts.</summary>
public sealed record PpoRunRequest
{
    public string Name { get; init; } = "";
    public int PolicyModelId { get; init; }
    public int RewardModelId { get; init; }
    /// <summary>The prompts come from this project.</summary>
    public int ProjectId { get; init; }
    /// <summary>Share of the project's prompts held out (not trained on) for closing the loop with raters.</summary>
    public double HeldOutFraction { get; init; } = 0.2;
    public PpoConfig Config { get; init; } = new();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 200) errors.Add("Name the run (1 to 200 characters); the new policy gets this name.");
        if (HeldOutFraction is < 0 or > 0.9) errors.Add("Held-out share must be between 0 and 0.9.");
        errors.AddRange(Config.Validate());
        return errors;
    }
}
