namespace Rlhf.Jobs.Runs;

/// <summary>
/// One problem of a run's settings: the field it belongs to (the settings record's property path, e.g. "Name",
/// "Config.KlCoef", "Policy.MinimumVotes") and the message a form shows under that field ("must be >= 0 (got -1)"). On its own
/// (<see cref="ToString"/>) it is <paramref name="Sentence"/> when given: for a trainer setting, the sentence the CLI prints,
/// naming its option ("--kl-coef must be >= 0 (got -1)").
/// </summary>
public sealed record RunSettingsProblem(string Field, string Message, string? Sentence = null)
{
    public override string ToString() => Sentence ?? Message;
}
