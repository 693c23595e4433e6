using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Identity;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Data.Identity;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Bench.Site;

/// <summary>
/// Sets a benchmark campaign up in the site's database: an active project of N comparisons with overlap k (no gold,
/// no adaptive overlap), a pool open to it, and rater accounts in that pool. Set-up only: the measured phase is HTTP.
/// </summary>
internal sealed class CampaignSeeder(SiteDatabase database)
{
    private const int ResponsesPerPrompt = 5; // 10 pairs per prompt

    public int ProjectId { get; private set; }
    public int PoolId { get; private set; }

    public async Task SeedProjectAsync(string name, int comparisons, int overlap, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var now = DateTime.UtcNow;
        var project = new Project
        {
            Name = name, Status = ProjectStatus.Active, Overlap = overlap, GoldRate = 0, AdaptiveExtraRaters = 0,
            LeaseMinutes = 15, Guidelines = "Pick the **more helpful** reply.", CreatedAtUtc = now,
        };
        var pool = new Pool { Name = name + " raters", CreatedAtUtc = now };
        db.Projects.Add(project);
        db.Pools.Add(pool);
        await db.SaveChangesAsync(ct);
        db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool.Id });

        var prompts = Enumerable.Range(0, (comparisons + 9) / 10)
            .Select(i => new Prompt { ProjectId = project.Id, Text = $"Customer question {i}: where is my parcel and when will it arrive?", CreatedAtUtc = now })
            .ToList();
        db.Prompts.AddRange(prompts);
        await db.SaveChangesAsync(ct);
        var responses = prompts.SelectMany(p => Enumerable.Range(0, ResponsesPerPrompt).Select(r => new Response
        {
            PromptId = p.Id, Source = $"bench-model-{r}", CreatedAtUtc = now,
            Text = $"Reply {r} to question {p.Id}: your parcel ships within {r + 1} day(s); here is the tracking link.",
        })).ToList();
        db.Responses.AddRange(responses);
        await db.SaveChangesAsync(ct);
        var pairs = responses.GroupBy(r => r.PromptId).SelectMany(g =>
        {
            var list = g.ToList();
            return from i in Enumerable.Range(0, list.Count) from j in Enumerable.Range(i + 1, list.Count - i - 1)
                select new Comparison { ProjectId = project.Id, PromptId = g.Key, ResponseAId = list[i].Id, ResponseBId = list[j].Id, RequiredVotes = overlap, CreatedAtUtc = now };
        }).Take(comparisons);
        db.Comparisons.AddRange(pairs);
        await db.SaveChangesAsync(ct);
        ProjectId = project.Id;
        PoolId = pool.Id;
    }

    /// <summary>
    /// Raters who call the API: accounts in the Rater role without a password (nobody signs in as them), each with one
    /// personal API token stored hashed exactly as <see cref="ApiTokenService"/> stores it. Written in one transaction,
    /// because hashing passwords and auditing for a thousand accounts one by one would dominate the set-up.
    /// </summary>
    public async Task<IReadOnlyList<RaterAccount>> AddTokenRatersAsync(int count, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var roleId = await db.Roles.Where(r => r.Name == Roles.Rater).Select(r => r.Id).SingleAsync(ct);
        var now = DateTime.UtcNow;
        var raters = new List<RaterAccount>(count);
        for (var i = 0; i < count; i++)
        {
            var email = $"bench-rater-{ProjectId}-{i}@example.test";
            var user = new ApplicationUser
            {
                UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
                EmailConfirmed = true, LockoutEnabled = true, SecurityStamp = Guid.NewGuid().ToString("N"), CreatedAtUtc = now,
            };
            var (secret, token) = ApiTokenService.NewToken(user.Id, "bench load", now, validDays: 1);
            db.Users.Add(user);
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleId });
            db.PoolMembers.Add(new PoolMember { PoolId = PoolId, UserId = user.Id, AddedAtUtc = now });
            db.ApiTokens.Add(token);
            raters.Add(new RaterAccount(user.Id, email, secret));
        }
        await db.SaveChangesAsync(ct);
        return raters;
    }

    /// <summary>Raters who sign in through the browser: made by the same service as the admin's Users page.</summary>
    public async Task<IReadOnlyList<RaterAccount>> AddPasswordRatersAsync(int count, string password, CancellationToken ct)
    {
        var raters = new List<RaterAccount>(count);
        for (var i = 0; i < count; i++)
        {
            await using var scope = database.Services.CreateAsyncScope();
            var email = $"page-rater-{ProjectId}-{i}@example.test";
            var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync(email, [Roles.Rater], password, null, ct);
            if (!created.Succeeded) throw new InvalidOperationException($"could not create {email}: {created.Error}");
            raters.Add(new RaterAccount(created.UserId!, email, password));
        }
        await using var db = await database.OpenAsync(ct);
        var now = DateTime.UtcNow;
        db.PoolMembers.AddRange(raters.Select(r => new PoolMember { PoolId = PoolId, UserId = r.UserId, AddedAtUtc = now }));
        await db.SaveChangesAsync(ct);
        return raters;
    }
}
