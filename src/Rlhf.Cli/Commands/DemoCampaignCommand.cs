using System.CommandLine;
using Rlhf.Data.Hosting;
using Rlhf.Demo.Campaign;
using Rlhf.Jobs.Seeding;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf demo-campaign [--out FILE]`: writes the demo rating campaign (<see cref="DemoCampaign"/>) the site seeds on first
/// start, by default to the checkout's seed/demo-campaign.json. Exit codes: 0 written, 1 cannot write.
/// </summary>
internal static class DemoCampaignCommand
{
    public static Command Create()
    {
        var outFile = new Option<string?>("--out") { Description = $"File to write (default: {ShippedCampaignSeeder.DefaultFile} under the content root)." };
        var command = new Command("demo-campaign", "Write the demo campaign the site seeds on first start (prompts, guidelines, fallback pairs).") { outFile };
        command.SetAction(parseResult =>
        {
            var file = Path.GetFullPath(parseResult.GetValue(outFile) ?? Path.Combine(ContentRootLocator.Find(), ShippedCampaignSeeder.DefaultFile));
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllText(file, DemoCampaign.ToJson());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"rlhf: cannot write {file}: {e.Message}");
                return 1;
            }
            parseResult.InvocationConfiguration.Output.WriteLine(file);
            return 0;
        });
        return command;
    }
}
