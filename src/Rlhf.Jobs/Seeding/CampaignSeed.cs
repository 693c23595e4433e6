using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rlhf.Jobs.Seeding;

/// <summary>
/// A rating campaign as a file: a pool, a project with its settings and prompts, and where the prompts' responses come
/// from. <see cref="ShippedCampaignSeeder"/> seeds the shipped one (seed/demo-campaign.json) on first start.
/// </summary>
public sealed record CampaignSeed
{
    /// <summary>How the file is written and read: camelCase names, indented, text kept readable.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public required string Project { get; init; }
    public required string Pool { get; init; }
    public string PoolDescription { get; init; } = "";
    /// <summary>Markdown shown to raters.</summary>
    public string Guidelines { get; init; } = "";
    public int Overlap { get; init; } = 3;
    public double GoldRate { get; init; }
    public int LeaseMinutes { get; init; } = 15;
    public required IReadOnlyList<CampaignSeedPrompt> Prompts { get; init; }
    /// <summary>A generation job over the prompts when this model is registered; without it the prompts' own replies are paired.</summary>
    public CampaignSeedGeneration? Generation { get; init; }
    /// <summary>The source recorded on the prompts' own replies.</summary>
    public string ReplySource { get; init; } = "seed";
}

/// <summary>A prompt and two replies, compared with each other when no generation job writes the responses.</summary>
public sealed record CampaignSeedPrompt(string Text, IReadOnlyList<string> Replies);

/// <summary>The generation job of a seeded campaign (see <see cref="Generation.GenerationRequest"/>).</summary>
public sealed record CampaignSeedGeneration
{
    /// <summary>The registered model's name.</summary>
    public required string Model { get; init; }
    public int ResponsesPerPrompt { get; init; } = 2;
    public int MaxNewTokens { get; init; } = 48;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    public long Seed { get; init; }
}
