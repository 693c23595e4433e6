using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Data.Demonstrations;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Demonstrations;

/// <summary>An active demonstration project of n prompts (the last a conversation when asked) open to one pool.</summary>
public static class DemonstrationFixture
{
    public const string ConversationJson = """[{"role":"system","content":"Be brief."},{"role":"user","content":"Name a colour."}]""";

    public static DemonstrationService Service(TestDatabase db) => db.Services.GetRequiredService<DemonstrationService>();

    public static DemonstrationReviewService Reviews(TestDatabase db) => db.Services.GetRequiredService<DemonstrationReviewService>();

    public static async Task<(int ProjectId, int PoolId, List<long> PromptIds)> ProjectAsync(
        TestDatabase database, int prompts, int k = 1, bool review = false, int? quota = null, bool lastIsConversation = false)
    {
        await using var db = await RatingFixture.ContextAsync(database);
        var pool = new Pool { Name = $"pool-{Guid.NewGuid():N}", CreatedAtUtc = DateTime.UtcNow };
        var project = new Project
        {
            Name = $"demonstrations-{Guid.NewGuid():N}", Kind = ProjectKind.Demonstrations, Status = ProjectStatus.Active, Overlap = k,
            GoldRate = 0, ReviewDemonstrations = review, DailyQuota = quota, CreatedAtUtc = DateTime.UtcNow,
        };
        db.AddRange(pool, project);
        await db.SaveChangesAsync();
        db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool.Id });
        var rows = Enumerable.Range(0, prompts).Select(i => lastIsConversation && i == prompts - 1
            ? new Prompt { ProjectId = project.Id, Text = "Name a colour.", MessagesJson = ConversationJson, CreatedAtUtc = DateTime.UtcNow }
            : new Prompt { ProjectId = project.Id, Text = $"Question {i}?", CreatedAtUtc = DateTime.UtcNow }).ToList();
        db.Prompts.AddRange(rows);
        await db.SaveChangesAsync();
        return (project.Id, pool.Id, rows.Select(p => p.Id).ToList());
    }
}
