using System.CommandLine;
using Rlhf.Bench.Commands;
using Rlhf.Cli.Commands;

namespace Rlhf.Cli;

/// <summary>The `rlhf` command tree. Every command uses the same services as the site.</summary>
internal static class RlhfCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("rlhf: the Rlhf platform from the command line (database, users, models, training).");
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(TrainRewardCommand.Create());
        root.Subcommands.Add(SftCommand.Create());
        root.Subcommands.Add(PpoCommand.Create());
        root.Subcommands.Add(GrpoCommand.Create());
        root.Subcommands.Add(DpoCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(DemoCampaignCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(LmLogprobCommand.Create());
        root.Subcommands.Add(RewardScoreCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        return root;
    }
}
