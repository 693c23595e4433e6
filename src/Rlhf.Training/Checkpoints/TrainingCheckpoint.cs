using System.Text.Json.Nodes;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// What every resumable training checkpoint (reward, PPO) holds besides its models: the updates done, the
/// <see cref="CheckpointKey"/> it was saved with, and its optimizer state (<see cref="Optim.FusedAdamW"/>'s format, in
/// the step folder). Read and written by <see cref="TrainingStateFile"/>.
/// </summary>
internal sealed record TrainingCheckpoint(string Folder, long Step, long TotalSteps, long Seed, string ContentSha256,
    CheckpointSettings? Settings, string? LegacyConfigSha256, string OptimizerPath)
{
    public static TrainingCheckpoint Read(string folder, JsonObject json, string contentField, string optimizerPath) => new(folder,
        json["step"]!.GetValue<long>(), json["total_steps"]!.GetValue<long>(), json["seed"]!.GetValue<long>(),
        json[contentField]!.GetValue<string>(), CheckpointSettings.Read(json["settings"]), json["config_sha256"]?.GetValue<string>(),
        optimizerPath);

    /// <summary>Null when this checkpoint's settings fit <paramref name="now"/>; otherwise what differs.</summary>
    public string? SettingsDifference(CheckpointKey now) =>
        CheckpointSettings.Difference(Settings, LegacyConfigSha256, now.Settings, now.LegacyConfigSha256);

    /// <summary>Throws <see cref="CheckpointMismatchException"/> unless a run of <paramref name="now"/> can resume from this checkpoint.</summary>
    public void EnsureFits(CheckpointKey now)
    {
        var settingsDifference = SettingsDifference(now);
        if (ContentSha256 != now.ContentSha256 || settingsDifference is not null || Seed != now.Seed)
            throw new CheckpointMismatchException(Folder,
                $"the checkpoint in {Folder} was made with other {(ContentSha256 != now.ContentSha256 ? now.ContentName : $"settings ({settingsDifference ?? "seed"})")}; " +
                $"resume with the same {now.ContentName} and settings, or use an empty checkpoint folder");
        if (TotalSteps != now.TotalSteps)
            throw new CheckpointMismatchException(Folder, $"the checkpoint in {Folder} is of a run of {TotalSteps} steps, this one has {now.TotalSteps}");
    }
}
