using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Projects;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Seeding;

namespace Rlhf.Jobs.Tests.Seeding;

/// <summary>The site's first-start campaign, read from the campaign file under the content root (the harness folder).</summary>
public class ShippedCampaignSeederTests
{
    private static CampaignSeed Campaign(string? model) => new()
    {
        Project = "Seeded", Pool = "Seeded raters", Guidelines = "Pick the better one.", Overlap = 2, GoldRate = 0.1, LeaseMinutes = 7,
        ReplySource = "seed file",
        Prompts = [new("First prompt", ["a1", "b1"]), new("Second prompt", ["a2", "b2"])],
        Generation = model is null ? null : new CampaignSeedGeneration { Model = model, ResponsesPerPrompt = 2, MaxNewTokens = 4, Seed = 3 },
    };

    private static async Task WriteAsync(JobsHarness h, CampaignSeed campaign)
    {
        var file = Path.Combine(h.Folder, ShippedCampaignSeeder.DefaultFile);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(campaign, CampaignSeed.Json));
    }

    private static Task<int?> SeedAsync(JobsHarness h) =>
        h.InScopeAsync(sp => sp.GetRequiredService<ShippedCampaignSeeder>().EnsureAsync());

    [Fact]
    public async Task Without_its_model_the_prompts_own_replies_are_paired_once()
    {
        await using var h = await JobsHarness.CreateAsync();
        await WriteAsync(h, Campaign(model: "not-registered"));

        var id = await SeedAsync(h);
        Assert.NotNull(id);
        Assert.Null(await SeedAsync(h));   // seeded once

        await using var db = await h.DbAsync();
        var project = await db.Projects.SingleAsync(p => p.Id == id);
        Assert.Equal(("Seeded", ProjectStatus.Active, 2, 0.1, 7), (project.Name, project.Status, project.Overlap, project.GoldRate, project.LeaseMinutes));
        var pool = await db.Pools.SingleAsync(p => p.Name == "Seeded raters");
        Assert.True(await db.ProjectPools.AnyAsync(pp => pp.ProjectId == id && pp.PoolId == pool.Id));
        var comparisons = await (
            from c in db.Comparisons.Where(c => c.ProjectId == id)
            join p in db.Prompts on c.PromptId equals p.Id
            join a in db.Responses on c.ResponseAId equals a.Id
            join b in db.Responses on c.ResponseBId equals b.Id
            select new { p.Text, A = a.Text, B = b.Text, c.RequiredVotes, a.Source }).ToListAsync();
        Assert.Equal(new[] { ("First prompt", "a1", "b1"), ("Second prompt", "a2", "b2") }, comparisons.Select(c => (c.Text, c.A, c.B)).OrderBy(c => c.Text));
        Assert.All(comparisons, c => Assert.Equal((2, "seed file"), (c.RequiredVotes, c.Source)));
        Assert.Empty(await db.Jobs.ToListAsync());
    }

    [Fact]
    public async Task With_its_model_registered_a_generation_job_writes_the_responses()
    {
        await using var h = await JobsHarness.CreateAsync();
        var import = await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(
            FixturePaths.Of("gpt2-tiny-lm"), "tiny", ModelKind.Base, null, "import", null, "", null));
        Assert.True(import.Succeeded, import.Error);
        await WriteAsync(h, Campaign(model: "tiny"));

        var id = await SeedAsync(h);

        await using var db = await h.DbAsync();
        Assert.Empty(await db.Comparisons.Where(c => c.ProjectId == id).ToListAsync());
        var job = await db.Jobs.SingleAsync();
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Contains($"\"projectId\":{id}", job.PayloadJson, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_the_file_nothing_is_seeded()
    {
        await using var h = await JobsHarness.CreateAsync();
        Assert.Null(await SeedAsync(h));
        await using var db = await h.DbAsync();
        Assert.Empty(await db.Projects.ToListAsync());
    }
}
