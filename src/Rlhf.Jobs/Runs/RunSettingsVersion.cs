namespace Rlhf.Jobs.Runs;

/// <summary>Versions of the stored run settings (<see cref="IRunSettings.Version"/>).</summary>
public static class RunSettingsVersion
{
    /// <summary>The settings as first stored: the request record with the trainer's config under "config".</summary>
    public const int V1 = 1;

    /// <summary>What new runs are stored with.</summary>
    public const int Current = V1;

    /// <summary>The problem of a version this build cannot read, or null.</summary>
    public static RunSettingsProblem? Check(int version) => version is >= V1 and <= Current ? null
        : new RunSettingsProblem(nameof(IRunSettings.Version), $"Settings version {version} is not known to this version of the platform (it reads 1 to {Current}).");
}
