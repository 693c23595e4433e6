using Rlhf.Training;

namespace Rlhf.Jobs.Runs;

/// <summary>The checks every run kind's settings share (<see cref="IRunSettings.Problems"/>).</summary>
public static class RunSettingsChecks
{
    /// <summary>An unknown settings version; a missing or too long name (<paramref name="named"/>: what gets the name, e.g. "the model").</summary>
    public static List<RunSettingsProblem> Common(IRunSettings settings, string named)
    {
        var problems = new List<RunSettingsProblem>();
        if (RunSettingsVersion.Check(settings.Version) is { } version) problems.Add(version);
        if (string.IsNullOrWhiteSpace(settings.Name) || settings.Name.Trim().Length > 200)
            problems.Add(new(nameof(IRunSettings.Name), $"Name the run (1 to 200 characters); {named} gets this name."));
        return problems;
    }

    /// <summary>A trainer config's problems, each under "Config.{property}" with the CLI's sentence.</summary>
    public static IEnumerable<RunSettingsProblem> OfConfig(IEnumerable<ConfigProblem> problems) =>
        problems.Select(p => new RunSettingsProblem($"Config.{p.Setting}", p.Text, p.ToString()));

    /// <summary>Every problem as one sentence (<see cref="IJobRequest.Validate"/>).</summary>
    public static IReadOnlyList<string> Sentences(IRunSettings settings) => settings.Problems().Select(p => p.ToString()).ToList();
}
