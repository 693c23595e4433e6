using System.CommandLine;
using Rlhf.Core.Rating;

namespace Rlhf.Cli.Commands;

/// <summary>
/// The options that choose a <see cref="PreferencePolicy"/>, with the same names and defaults wherever a command turns a
/// project's votes into preference pairs (`rlhf export --kind preferences`, `rlhf train-reward --project`):
/// [--method mean|majority] [--keep-ties] [--min-agreement X] [--min-votes N] [--exclude-flagged] [--include-gold].
/// </summary>
internal sealed class PreferencePolicyOptions
{
    private static readonly PreferencePolicy Defaults = new();

    public Option<string> Method { get; } = new("--method") { Description = "How votes are combined: mean strength or majority.", DefaultValueFactory = _ => "mean" };
    public Option<bool> KeepTies { get; } = new("--keep-ties") { Description = "Keep ties too (A as chosen); by default they are dropped." };
    public Option<double> MinAgreement { get; } = new("--min-agreement") { Description = "Drop comparisons whose agreement is below X (0..1).", DefaultValueFactory = _ => Defaults.MinimumAgreement };
    public Option<int> MinVotes { get; } = new("--min-votes") { Description = "Drop comparisons with fewer counted votes.", DefaultValueFactory = _ => Defaults.MinimumVotes };
    public Option<bool> ExcludeFlagged { get; } = new("--exclude-flagged") { Description = "Leave out the votes of raters flagged by gold." };
    public Option<bool> IncludeGold { get; } = new("--include-gold") { Description = "Also use gold comparisons." };

    public PreferencePolicyOptions() => Method.AcceptOnlyFromAmong("mean", "majority");

    public IEnumerable<Option> All => [Method, KeepTies, MinAgreement, MinVotes, ExcludeFlagged, IncludeGold];

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The names of the options given on the command line (not left at their defaults).</summary>
    public IReadOnlyList<string> Given(ParseResult parseResult) =>
        All.Where(o => parseResult.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();

    /// <summary>The policy the command line asks for (check it with <see cref="PreferencePolicy.Validate"/>).</summary>
    public PreferencePolicy Read(ParseResult parseResult) => new()
    {
        Method = parseResult.GetValue(Method) == "majority" ? AggregationMethod.Majority : AggregationMethod.MeanStrength,
        DropTies = !parseResult.GetValue(KeepTies),
        MinimumAgreement = parseResult.GetValue(MinAgreement),
        MinimumVotes = parseResult.GetValue(MinVotes),
        ExcludeFlaggedRaters = parseResult.GetValue(ExcludeFlagged),
        IncludeGold = parseResult.GetValue(IncludeGold),
    };
}
