using System.Text.Json;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;

namespace Rlhf.Web.Components.Pages.Runs;

/// <summary>
/// A run form's live check: whenever the settings it would start change, their problems (shown under each field) and,
/// when they have none, the plan of what would run (<see cref="RunPlan"/>). The form never changes a value itself.
/// </summary>
internal sealed class RunFormCheck
{
    private string? checkedJson;

    public RunProblems Problems { get; private set; } = RunProblems.None;

    /// <summary>Null while the settings have problems or the plan is being worked out.</summary>
    public RunPlan? Plan { get; private set; }

    /// <summary>Checks <paramref name="settings"/> unless they are the ones checked last; true when something changed.</summary>
    public async Task<bool> UpdateAsync(IRunSettings settings, Func<Task<RunPlan?>> plan)
    {
        var json = JsonSerializer.Serialize(settings, settings.GetType(), JobQueue.Json);
        if (json == checkedJson) return false;
        checkedJson = json;
        Problems = new RunProblems(settings.Problems());
        Plan = null;
        if (Problems.Any) return true;
        var planned = await plan();
        if (json == checkedJson) Plan = planned;   // not a plan of settings changed meanwhile
        return true;
    }
}
