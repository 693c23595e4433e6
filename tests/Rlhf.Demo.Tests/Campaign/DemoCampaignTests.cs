using System.Text.Json;
using Rlhf.Demo.Campaign;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Seeding;

namespace Rlhf.Demo.Tests.Campaign;

public class DemoCampaignTests
{
    private static string ShippedFile => Path.Combine(AppContext.BaseDirectory, "seed", "demo-campaign.json");

    [Fact]
    public void The_shipped_campaign_file_is_what_the_demo_builds()
    {
        // When the corpus or the campaign changes: dotnet run --project src/Rlhf.Cli -- demo-campaign
        Assert.Equal(DemoCampaign.ToJson(), File.ReadAllText(ShippedFile).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_campaign_asks_the_shipped_policy_and_pairs_two_corpus_replies_per_prompt_without_it()
    {
        var campaign = JsonSerializer.Deserialize<CampaignSeed>(File.ReadAllText(ShippedFile), CampaignSeed.Json)!;
        Assert.Equal((DemoCampaign.ProjectName, DemoCampaign.PoolName, 3), (campaign.Project, campaign.Pool, campaign.Overlap));
        Assert.Equal(DemoCampaign.PromptCount, campaign.Prompts.Select(p => p.Text).Distinct().Count());
        Assert.All(campaign.Prompts, p => Assert.Equal(2, p.Replies.Count));
        Assert.Equal(ModelRegistry.ShippedDemoName, campaign.Generation!.Model);
        Assert.Equal(3, campaign.Generation.ResponsesPerPrompt);
    }
}
