namespace Rlhf.Jobs.Runs;

/// <summary>
/// One problem of a run's settings: the field it belongs to (the settings record's property path, e.g. "Name",
/// "Config.KlCoef", "Policy.MinimumVotes") so a form shows it under that field, and one sentence saying what to change.
/// </summary>
public sealed record RunSettingsProblem(string Field, string Message)
{
    public override string ToString() => Message;
}
