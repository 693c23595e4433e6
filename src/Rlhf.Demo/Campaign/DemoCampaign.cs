using System.Text.Json;
using Rlhf.Demo.Corpus;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Seeding;

namespace Rlhf.Demo.Campaign;

/// <summary>
/// The demo rating campaign the site seeds on first start (seed/demo-campaign.json, read by <see cref="ShippedCampaignSeeder"/>):
/// a "Demo raters" pool and an active project of customer-support prompts from the demo corpus, answered by the shipped
/// demo policy through a generation job; each prompt also carries two of the corpus's replies, paired when that model is
/// not registered. <c>rlhf demo-campaign</c> writes it; a test checks the shipped file is what <see cref="Build"/> makes.
/// </summary>
public static class DemoCampaign
{
    public const string ProjectName = "Demo: customer-support replies";
    public const string PoolName = "Demo raters";
    public const int PromptCount = 24;
    private const int Seed = 2026;

    public const string Guidelines = """
        ## What you compare
        A customer wrote to a shop's support team. Two assistants answered. Choose the **better reply**.

        ## A good reply
        - answers the customer's actual question or problem;
        - says what happens next (a refund, a replacement, a link, a time);
        - is polite and short.

        Use **tie** only when the two are equally good (or equally bad), and tick **both are bad** when neither
        would help the customer. Skip (S) when you cannot judge.
        """;

    public static CampaignSeed Build()
    {
        // Each prompt's fallback pair: two replies drawn from the corpus, as the seeder used to draw them itself.
        var replies = DemoCorpus.Examples(Seed, 400);
        var random = new Random(Seed);
        var prompts = DemoCorpus.Prompts(Seed, PromptCount)
            .Select(text => new CampaignSeedPrompt(text, replies.OrderBy(_ => random.Next()).Take(2).Select(r => r.Reply).ToList()))
            .ToList();
        return new CampaignSeed
        {
            Project = ProjectName, Pool = PoolName, PoolDescription = "Raters of the built-in demo project.", Guidelines = Guidelines,
            Overlap = 3, GoldRate = 0.05, LeaseMinutes = 15, Prompts = prompts, ReplySource = "demo corpus",
            Generation = new CampaignSeedGeneration
            {
                Model = ModelRegistry.ShippedDemoName, ResponsesPerPrompt = 3, MaxNewTokens = 48, Temperature = 0.9, TopP = 0.95, Seed = Seed,
            },
        };
    }

    /// <summary>The campaign file's text (ends with a newline).</summary>
    public static string ToJson() => JsonSerializer.Serialize(Build(), CampaignSeed.Json) + "\n";
}
