using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Jobs.Generation;
using Rlhf.Jobs.Registry;
using Rlhf.Training.Pretraining;

namespace Rlhf.Jobs.Demo;

/// <summary>
/// On first start, a demo rating campaign: a "Demo raters" pool and an active project of customer-support
/// prompts from the shipped demo corpus. When the shipped demo policy is registered its responses are generated
/// by a job (so raters see what the model writes); without it, pairs of the corpus's own replies are used.
/// Turned off with <c>Demo:Enabled=false</c>.
/// </summary>
public sealed class DemoProjectSeeder(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, GenerationService generation,
    AuditLog audit, IConfiguration configuration, TimeProvider clock)
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

    /// <summary>Seeds the demo once. Returns the project id when it created it, else null.</summary>
    public async Task<int?> EnsureAsync(CancellationToken ct = default)
    {
        if (!configuration.GetValue("Demo:Enabled", true)) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Projects.AnyAsync(p => p.Name == ProjectName, ct)) return null;

        var now = clock.GetUtcNow().UtcDateTime;
        var pool = await db.Pools.SingleOrDefaultAsync(p => p.Name == PoolName, ct)
            ?? db.Pools.Add(new Pool { Name = PoolName, Description = "Raters of the built-in demo project.", CreatedAtUtc = now }).Entity;
        var project = new Project
        {
            Name = ProjectName, Guidelines = Guidelines, Status = ProjectStatus.Active, Overlap = 3, GoldRate = 0.05,
            LeaseMinutes = 15, CreatedAtUtc = now,
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool.Id });
        var prompts = DemoCorpus.Prompts(Seed, PromptCount).Select(text => new Prompt { ProjectId = project.Id, Text = text, CreatedAtUtc = now }).ToList();
        db.Prompts.AddRange(prompts);
        await db.SaveChangesAsync(ct);

        var model = await registry.EnsureShippedDemoAsync(ct);
        if (model is not null)
        {
            var (jobId, errors) = await generation.EnqueueAsync(new GenerationRequest
            {
                ProjectId = project.Id, ModelIds = [model.Id], ResponsesPerPrompt = 3, MaxNewTokens = 48,
                Temperature = 0.9, TopP = 0.95, Seed = Seed,
            }, null, ct);
            if (jobId is null) throw new InvalidOperationException($"Could not queue the demo generation: {string.Join(" ", errors)}");
        }
        else
        {
            // No shipped model: pair replies of the demo corpus to each prompt (sources say so).
            var replies = DemoCorpus.Examples(Seed, 400);
            var random = new Random(Seed);
            foreach (var prompt in prompts)
            {
                var pick = replies.OrderBy(_ => random.Next()).Take(2).ToList();
                var a = new Response { PromptId = prompt.Id, Text = pick[0].Reply, Source = "demo corpus", CreatedAtUtc = now };
                var b = new Response { PromptId = prompt.Id, Text = pick[1].Reply, Source = "demo corpus", CreatedAtUtc = now };
                db.Responses.AddRange(a, b);
                await db.SaveChangesAsync(ct);
                db.Comparisons.Add(new Comparison { ProjectId = project.Id, PromptId = prompt.Id, ResponseAId = a.Id, ResponseBId = b.Id, RequiredVotes = 3, CreatedAtUtc = now });
            }
            await db.SaveChangesAsync(ct);
        }
        await audit.RecordAsync(null, "demo.seeded", ProjectName, model is null ? "pairs from the demo corpus" : $"responses from {model.Name}", ct);
        return project.Id;
    }
}
