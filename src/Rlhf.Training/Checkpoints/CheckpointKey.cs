namespace Rlhf.Training.Checkpoints;

/// <summary>
/// What a resumable checkpoint must share with the run that resumes it: the training content (its hash, stored under
/// <paramref name="ContentField"/>, e.g. "data_sha256"; <paramref name="ContentName"/> for messages, e.g. "prompts"),
/// the seed, the number of steps and the settings that shape the run. <paramref name="LegacyConfigSha256"/> computes
/// what checkpoints written before settings were versioned stored instead of settings.
/// </summary>
internal sealed record CheckpointKey(string ContentField, string ContentName, string ContentSha256, long Seed, long TotalSteps,
    CheckpointSettings Settings, Func<string> LegacyConfigSha256);
