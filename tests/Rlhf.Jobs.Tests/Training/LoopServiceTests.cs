using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Pools;
using Rlhf.Core.Registry;
using Rlhf.Core.Rating;
using Rlhf.Data.Rating;
using Rlhf.Data.Statistics;
using Rlhf.Data.Users;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>Closing the loop: a finished PPO run's policy against its reference, on held-out prompts, rated by people.</summary>
public class LoopServiceTests
{
    /// <summary>A PPO run that finished and registered its policy (the training itself is tested in Rlhf.Training.Tests), holding out half the prompts.</summary>
    private static async Task<(Job Job, ModelImportResult Reference, ModelImportResult Policy)> FinishedPpoRunAsync(JobsHarness h, int sourceProject)
    {
        var request = new PpoRunRequest { Name = "ppo-policy", PolicyModelId = 1, RewardModelId = 1, ProjectId = sourceProject, HeldOutFraction = 0.5 };
        var job = await h.Queue.EnqueueAsync(PpoRunJobHandler.JobKind, request, null);
        var reference = await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(FixturePaths.Of("gpt2-tiny-lm"), "reference", ModelKind.Base, null, "import", null, "", null));
        await using (var db = await h.DbAsync())
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded));
        var policy = await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(FixturePaths.Of("gpt2-tiny-lm"), "ppo-policy", ModelKind.Policy, reference.Model!.Id, "run", job.Id, "", null));
        Assert.True(policy.Succeeded, policy.Error);
        return (job, reference, policy);
    }

    [Fact]
    public async Task The_prompts_rated_are_chosen_held_out_or_another_projects_and_a_bad_choice_makes_nothing()
    {
        await using var h = await JobsHarness.CreateAsync();
        var prompts = Enumerable.Range(0, 12).Select(i => $"Customer question {i}?").ToArray();
        var sourceProject = await h.ProjectWithPromptsAsync(prompts);
        var evalProject = await h.ProjectWithPromptsAsync(Enumerable.Range(0, 7).Select(i => $"Evaluation prompt {i}").ToArray());
        var (job, _, _) = await FinishedPpoRunAsync(h, sourceProject);
        var loop = (Func<RatingPrompts, Task<(int? ProjectId, long? GenerationJobId, IReadOnlyList<string> Errors)>>)(choice =>
            h.InScopeAsync(sp => sp.GetRequiredService<LoopService>().RateAgainstReferenceAsync(job.Id, choice, null)));

        var (heldOut, runProject, error) = await h.InScopeAsync(sp => sp.GetRequiredService<LoopService>().HeldOutAsync(job.Id, null));
        Assert.Null(error);
        Assert.Equal(sourceProject, runProject);
        await using (var db = await h.DbAsync())
        {
            var ids = await db.Prompts.Where(p => p.ProjectId == sourceProject).Select(p => p.Id).ToListAsync();
            Assert.Equal(ids.Count(id => PromptSplit.IsHeldOut(id, 0.5)), heldOut);
        }

        int projectsBefore;
        await using (var db = await h.DbAsync()) projectsBefore = await db.Projects.CountAsync();
        Assert.Equal(["There is no project 999 you can see."], (await loop(new RatingPrompts(999))).Errors);
        Assert.Contains("between 1 and", Assert.Single((await loop(new RatingPrompts(evalProject, 0))).Errors));
        await using (var db = await h.DbAsync()) Assert.Equal(projectsBefore, await db.Projects.CountAsync());

        // Three of the evaluation project's seven prompts, drawn with the run's seed.
        var (projectId, generationJob, errors) = await loop(new RatingPrompts(evalProject, 3));
        Assert.True(projectId is not null, string.Join(" ", errors));
        Assert.NotNull(generationJob);
        await using (var db = await h.DbAsync())
        {
            var rated = await db.Prompts.Where(p => p.ProjectId == projectId).Select(p => p.Text).ToListAsync();
            Assert.Equal(3, rated.Count);
            Assert.All(rated, t => Assert.StartsWith("Evaluation prompt ", t));
            Assert.Equal(3, rated.Distinct().Count());
        }
    }

    [Fact]
    public async Task A_finished_PPO_run_becomes_a_rating_project_whose_votes_give_a_win_rate_and_a_leaderboard()
    {
        await using var h = await JobsHarness.CreateAsync();
        var prompts = Enumerable.Range(0, 12).Select(i => $"Customer question {i}?").ToArray();
        var sourceProject = await h.ProjectWithPromptsAsync(prompts);
        int poolId;
        await using (var db = await h.DbAsync())
        {
            var pool = new Pool { Name = "loop pool", CreatedAtUtc = DateTime.UtcNow };
            db.Pools.Add(pool);
            await db.SaveChangesAsync();
            db.ProjectPools.Add(new ProjectPool { ProjectId = sourceProject, PoolId = pool.Id });
            await db.SaveChangesAsync();
            poolId = pool.Id;
        }

        var (job, reference, policy) = await FinishedPpoRunAsync(h, sourceProject);

        var (projectId, generationJob, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<LoopService>().RateAgainstReferenceAsync(job.Id, null));
        Assert.True(projectId is not null, string.Join(" ", errors));
        Assert.NotNull(generationJob);
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        Assert.Equal(JobStatus.Succeeded, (await h.Queue.GetAsync(generationJob!.Value))!.Status);

        await using (var db = await h.DbAsync())
        {
            var heldOut = await db.Prompts.Where(p => p.ProjectId == projectId).Select(p => p.Text).ToListAsync();
            Assert.NotEmpty(heldOut);
            Assert.True(heldOut.Count < prompts.Length);
            Assert.True(await db.ProjectPools.AnyAsync(pp => pp.ProjectId == projectId && pp.PoolId == poolId));
            var comparisons = await db.Comparisons.Where(c => c.ProjectId == projectId).ToListAsync();
            Assert.NotEmpty(comparisons);
        }

        // Three raters always prefer the new policy's response.
        await using (var scope = h.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserDirectory>();
            var rating = scope.ServiceProvider.GetRequiredService<RatingService>();
            await using var db = await h.DbAsync();
            for (var r = 0; r < 3; r++)
            {
                var rater = (await users.CreateAsync($"loop{r}@example.test", ["Rater"], "Rater-Password-1", null)).UserId!;
                db.PoolMembers.Add(new PoolMember { PoolId = poolId, UserId = rater, AddedAtUtc = DateTime.UtcNow });
                await db.SaveChangesAsync();
                while (await rating.NextAsync(rater) is { } task)
                {
                    var a = await db.Assignments.AsNoTracking().SingleAsync(x => x.Id == task.AssignmentId);
                    var c = await db.Comparisons.AsNoTracking().SingleAsync(x => x.Id == a.ComparisonId);
                    var aModel = await db.Responses.Where(x => x.Id == c.ResponseAId).Select(x => x.ModelId).SingleAsync();
                    var strength = aModel == policy.Model!.Id ? -2 : 2; // toward the new policy
                    Assert.True((await rating.SubmitAsync(rater, task.AssignmentId, VoteStrength.ToScreen(strength, a.AShownLeft), false, null)).Succeeded);
                }
            }
        }

        await using var statsScope = h.Services.CreateAsyncScope();
        var comparisonsService = statsScope.ServiceProvider.GetRequiredService<ModelComparisonService>();
        var head = Assert.Single(await comparisonsService.HeadToHeadAsync(projectId!.Value));
        Assert.Equal(reference.Model!.Id, head.FirstId);     // lower id first: the reference...
        Assert.Equal(0.0, head.Result.Rate);                  // ...never beats the new policy
        Assert.True(head.Result.Votes >= 3);
        Assert.True(head.Result.Interval95!.Value.High < 0.5);

        var board = await comparisonsService.LeaderboardAsync(bootstrap: 50);
        Assert.Equal(["ppo-policy", "reference"], board.Select(b => b.Name));
        Assert.True(board[0].Low > board[1].High || board[0].Strength > board[1].Strength);
        // The new policy won every vote: a one-sided record, whose bootstrap interval has no width.
        Assert.True(board[0].OneSided && board[0].Wins == board[0].Votes && board[1].Wins == 0, $"{board[0]} / {board[1]}");

        // A second click makes nothing twice.
        var (again, _, againErrors) = await h.InScopeAsync(sp => sp.GetRequiredService<LoopService>().RateAgainstReferenceAsync(job.Id, null));
        Assert.Null(again);
        Assert.Contains(againErrors, e => e.Contains("already exists"));
    }
}
