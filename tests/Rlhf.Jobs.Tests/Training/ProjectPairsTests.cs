using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Exchange;
using Rlhf.Data.Users;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>
/// A reward run started from a project trains on exactly the pairs the TRL export of that project writes, for every
/// policy. Eight comparisons ("Ai" against "Bi", prompt 0 a conversation) with votes by raters X, Y, Z, W; X is
/// flagged by gold: c0 Y-1 Z-1 W+1 · c1 Y-1 Z+1 · c2 Y-2 Z+1 W+1 · c3 gold A: X+1 Y-1 Z-1 · c4 Y+1 (void) Z-1 ·
/// c5 Y-1 (void) · c6 X+2 Y-1 · c7 none.
/// </summary>
public class ProjectPairsTests
{
    private static readonly PreferencePolicy[] Policies =
    [
        new(),
        new() { Method = AggregationMethod.Majority },
        new() { Method = AggregationMethod.Majority, DropTies = false, IncludeGold = true },
        new() { DropTies = false },
        new() { MinimumAgreement = 0.7 },
        new() { ExcludeFlaggedRaters = true },
        new() { IncludeGold = true, MinimumVotes = 2 },
    ];

    [Fact]
    public async Task The_export_and_a_reward_run_on_the_project_get_the_same_pairs_under_every_policy()
    {
        await using var h = await JobsHarness.CreateAsync();
        var projectId = await SceneAsync(h);
        var contexts = h.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        var seen = new HashSet<string>();
        foreach (var policy in Policies)
        {
            var file = Path.Combine(h.Folder, "export.jsonl");
            await using (var scope = h.Services.CreateAsyncScope())
            await using (var output = File.Create(file))
                await scope.ServiceProvider.GetRequiredService<ExportService>().ExportPreferencesAsync(projectId, policy, output);
            var exported = (await PreferenceData.FromTrlFileAsync(file, default)).Select(p => (p.Prompt, p.Chosen, p.Rejected)).ToList();

            await using var db = await h.DbAsync();
            var trained = await PreferenceData.FromProjectAsync(db, projectId, policy, default);

            Assert.Equal(exported, trained.Select(p => (p.Prompt, p.Chosen, p.Rejected)).ToList());
            seen.Add(string.Join(",", exported.Select(p => p.Chosen)));
        }
        // The policies do select differently, so the comparison above has something to catch.
        Assert.True(seen.Count >= 6, string.Join(" | ", seen));
    }

    [Fact]
    public async Task Pairs_from_a_project_carry_the_mean_strength_towards_the_chosen_side_and_the_prompt_as_group()
    {
        await using var h = await JobsHarness.CreateAsync();
        var projectId = await SceneAsync(h);
        await using var db = await h.DbAsync();
        var pairs = await PreferenceData.FromProjectAsync(db, projectId, new PreferencePolicy(), default);
        Assert.Equal(["A0", "A4", "B6"], pairs.Select(p => p.Chosen));
        Assert.Equal([1.0 / 3, 1, 0.5], pairs.Select(p => p.Margin).ToArray(), new ToleranceComparer(1e-12));
        var prompts = await db.Prompts.Where(p => p.ProjectId == projectId).OrderBy(p => p.Id).Select(p => p.Id.ToString()).ToListAsync();
        Assert.Equal([prompts[0], prompts[4], prompts[6]], pairs.Select(p => p.Group));
        // Flagged X's +2 no longer outweighs Y's -1 on c6 once flagged raters are excluded.
        var excluded = await PreferenceData.FromProjectAsync(db, projectId, new PreferencePolicy { ExcludeFlaggedRaters = true }, default);
        Assert.Equal(["A0", "A4", "A6"], excluded.Select(p => p.Chosen));
        await Assert.ThrowsAsync<ArgumentException>(() => PreferenceData.FromProjectAsync(db, projectId, new PreferencePolicy { MinimumVotes = 0 }, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => PreferenceData.FromProjectAsync(db, 999, new PreferencePolicy(), default));
    }

    [Fact]
    public async Task A_reward_run_job_selects_its_pairs_under_the_policy_it_was_queued_with()
    {
        await using var h = await JobsHarness.CreateAsync();
        var projectId = await SceneAsync(h);
        var baseId = (await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(
            FixturePaths.Of("gpt2-tiny-lm"), "base", ModelKind.Base, null, "import", null, "", null))).Model!.Id;
        // The default policy gives 3 pairs; at least 3 votes leaves only c0. Either way too few to train, so the job
        // fails at once, and its message tells which policy it used.
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<RewardRunService>().EnqueueAsync(new RewardRunRequest
        {
            Name = "rm", BaseModelId = baseId, ProjectId = projectId, Policy = new PreferencePolicy { MinimumVotes = 3 },
        }, null));
        Assert.True(jobId is not null, string.Join(" ", errors));
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.StartsWith("Only 1 preference pairs", job.Error);

        var (refused, problems) = await h.InScopeAsync(sp => sp.GetRequiredService<RewardRunService>().EnqueueAsync(new RewardRunRequest
        {
            Name = "rm", BaseModelId = baseId, ProjectId = projectId, Policy = new PreferencePolicy { MinimumAgreement = 2 },
        }, null));
        Assert.Null(refused);
        Assert.Contains("The minimum agreement must be between 0 and 1.", problems);
    }

    [Fact]
    public void The_policy_is_stored_with_the_run_and_an_old_request_keeps_its_minimum_agreement()
    {
        var request = new RewardRunRequest
        {
            Name = "rm", ProjectId = 3, Policy = new PreferencePolicy { Method = AggregationMethod.Majority, DropTies = false, MinimumAgreement = 0.6, MinimumVotes = 2, ExcludeFlaggedRaters = true, IncludeGold = true },
        };
        var json = JsonSerializer.Serialize(request, JobQueue.Json);
        Assert.False(JsonDocument.Parse(json).RootElement.TryGetProperty("minimumAgreement", out _), json);
        Assert.Equal(request.Policy, JsonSerializer.Deserialize<RewardRunRequest>(json, JobQueue.Json)!.Policy);

        var old = JsonSerializer.Deserialize<RewardRunRequest>("""{"name":"rm","baseModelId":1,"projectId":3,"minimumAgreement":0.75}""", JobQueue.Json)!;
        Assert.Equal(new PreferencePolicy { MinimumAgreement = 0.75 }, old.Policy);
        Assert.Equal(new PreferencePolicy(), JsonSerializer.Deserialize<RewardRunRequest>("""{"name":"rm","projectId":3}""", JobQueue.Json)!.Policy);
        // A file run has no use for the policy, so a bad one is not held against it.
        Assert.Empty(new RewardRunRequest { Name = "rm", DataFile = "x.jsonl", Policy = new PreferencePolicy { MinimumVotes = 0 } }.Validate());
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    internal static async Task<int> SceneAsync(JobsHarness h)
    {
        var contexts = h.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        int projectId;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var project = new Project
            {
                Name = $"p-{Guid.NewGuid():N}", Status = ProjectStatus.Active, Overlap = 3, GoldMinimumAnswers = 1, GoldMinimumAccuracy = 0.7,
                CreatedAtUtc = DateTime.UtcNow,
            };
            db.Projects.Add(project);
            await db.SaveChangesAsync();
            projectId = project.Id;
        }
        var lines = Enumerable.Range(0, 8).Select(i => JsonSerializer.Serialize(i == 0
            ? new { prompt = (object)new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "P0" } }, responses = new[] { "A0", "B0" } }
            : new { prompt = (object)$"P{i}", responses = new[] { $"A{i}", $"B{i}" } }));
        using (var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n")))
        {
            var report = await new ImportService(contexts, TimeProvider.System).ImportAsync(projectId, input, ImportFormat.Jsonl, new ImportOptions(), null, null);
            Assert.True(report.Committed, string.Join(" ", report.Errors));
        }

        var raters = new List<string>();
        await using (var scope = h.Services.CreateAsyncScope())
            for (var i = 0; i < 4; i++)
            {
                var r = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync($"rater{i}@example.test", ["Rater"], "Rater-Password-1", null);
                Assert.True(r.Succeeded, r.Error);
                raters.Add(r.UserId!);
            }
        var (x, y, z, w) = (raters[0], raters[1], raters[2], raters[3]);

        await using var data = await contexts.CreateDbContextAsync();
        var c = await data.Comparisons.Where(k => k.ProjectId == projectId).OrderBy(k => k.Id).Select(k => k.Id).ToListAsync();
        Assert.Equal(8, c.Count);
        data.GoldAnswers.Add(new GoldAnswer { ComparisonId = c[3], Side = GoldSide.A, MinimumStrength = 1, CreatedAtUtc = DateTime.UtcNow });
        (int Comparison, string Rater, int Strength, bool Voided)[] votes =
        [
            (0, y, -1, false), (0, z, -1, false), (0, w, 1, false), (1, y, -1, false), (1, z, 1, false),
            (2, y, -2, false), (2, z, 1, false), (2, w, 1, false), (3, x, 1, false), (3, y, -1, false), (3, z, -1, false),
            (4, y, 1, true), (4, z, -1, false), (5, y, -1, true), (6, x, 2, false), (6, y, -1, false),
        ];
        var now = DateTime.UtcNow;
        foreach (var (i, rater, strength, voided) in votes)
        {
            var assignment = new Assignment
            {
                ProjectId = projectId, ComparisonId = c[i], RaterId = rater, AShownLeft = true, Status = AssignmentStatus.Submitted,
                StartedAtUtc = now, LeaseExpiresAtUtc = now.AddMinutes(15), FinishedAtUtc = now,
            };
            data.Assignments.Add(assignment);
            await data.SaveChangesAsync();
            data.Votes.Add(new Vote
            {
                AssignmentId = assignment.Id, ComparisonId = c[i], ProjectId = projectId, RaterId = rater, Strength = strength, AShownLeft = true,
                SecondsOnTask = 5, SubmittedAtUtc = now, VoidedAtUtc = voided ? now : null, VoidReason = voided ? "test" : null,
            });
        }
        await data.SaveChangesAsync();
        return projectId;
    }
}
