using System.CommandLine;
using Rlhf.Cli.Commands;
using Rlhf.Core.Rating;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf export` and `rlhf train-reward --project` choose the pair policy with the same options and defaults.</summary>
public class PreferencePolicyOptionsTests
{
    private static readonly string[] Names = ["--method", "--keep-ties", "--min-agreement", "--min-votes", "--exclude-flagged", "--include-gold"];

    private static (PreferencePolicyOptions Options, ParseResult Result) Parse(string args)
    {
        var options = new PreferencePolicyOptions();
        var command = new RootCommand();
        options.AddTo(command);
        return (options, command.Parse(args));
    }

    [Fact]
    public void Both_commands_offer_the_same_policy_options()
    {
        Assert.Equal(Names, new PreferencePolicyOptions().All.Select(o => o.Name));
        foreach (var command in new[] { ExportCommand.Create(), TrainRewardCommand.Create() })
            Assert.All(Names, n => Assert.Contains(command.Options, o => o.Name == n));
    }

    [Fact]
    public void No_options_give_the_export_defaults_and_nothing_counts_as_given()
    {
        var (options, result) = Parse("");
        Assert.Empty(result.Errors);
        Assert.Equal(new PreferencePolicy(), options.Read(result));
        Assert.Empty(options.Given(result));
    }

    [Fact]
    public void Every_option_reaches_the_policy()
    {
        var (options, result) = Parse("--method majority --keep-ties --min-agreement 0.6 --min-votes 2 --exclude-flagged --include-gold");
        Assert.Empty(result.Errors);
        Assert.Equal(new PreferencePolicy
        {
            Method = AggregationMethod.Majority, DropTies = false, MinimumAgreement = 0.6, MinimumVotes = 2, ExcludeFlaggedRaters = true, IncludeGold = true,
        }, options.Read(result));
        Assert.Equal(Names, options.Given(result));
        // Given at its default value still counts as given.
        var (same, explicitDefault) = Parse("--min-votes 1");
        Assert.Equal(["--min-votes"], same.Given(explicitDefault));
    }

    [Fact]
    public void An_unknown_method_is_a_parse_error_that_names_the_choices()
    {
        var (_, result) = Parse("--method best");
        Assert.Contains(result.Errors, e => e.Message.Contains("best") && e.Message.Contains("majority"));
    }
}
