using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Data.Pools;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf simulate` against the real site process: raters join and sign in through the REST API and vote by the judge.</summary>
public class SimulateCommandTests(SiteProcess site) : IClassFixture<SiteProcess>
{
    private const string Password = "Simulated-Password-1";

    private const string Helpful = "Hi, thanks for reaching out. I checked order 48213, and the package was held up at our warehouse. " +
        "The courier now expects to deliver it on Wednesday, and I will send you the new tracking link by email today.";

    private const string Curt = "Ok.";

    [Fact]
    public async Task Simulated_raters_join_sign_in_and_vote_for_the_reply_the_judge_prefers()
    {
        await using var data = new SiteData(site);
        var (projectId, invitation) = await ProjectAsync(data, comparisons: 8, overlap: 2);
        var env = new Dictionary<string, string> { ["RLHF_SIMULATE_PASSWORD"] = Password };

        var (code, output, error) = await CliProcess.RunAsync(env, null, "simulate", "--url", site.BaseAddress.ToString(),
            "--project", projectId.ToString(), "--raters", "3", "--invitation", invitation, "--noise", "0", "--email-prefix", "judge");
        Assert.True(code == 0, error + output);
        var summary = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(16, summary.GetProperty("votes").GetInt32());
        Assert.Equal(1.0, summary.GetProperty("agreement_with_judge").GetDouble());

        await using (var db = await data.DbAsync())
        {
            var votes = await db.Votes.Where(v => v.ProjectId == projectId).ToListAsync();
            Assert.Equal(16, votes.Count);
            // A is the helpful reply everywhere: every vote prefers A strongly whichever side it was shown on.
            Assert.All(votes, v => Assert.Equal(-2, v.Strength));
            Assert.Equal(2, votes.GroupBy(v => v.ComparisonId).Select(g => g.Select(v => v.RaterId).Distinct().Count()).Distinct().Single());
            Assert.Equal(3, await db.Users.CountAsync(u => u.Email!.StartsWith("judge-")));
        }

        // Again: the accounts exist, they sign in without the invitation and find nothing left to rate.
        (code, output, error) = await CliProcess.RunAsync(env, null, "simulate", "--url", site.BaseAddress.ToString(),
            "--project", projectId.ToString(), "--raters", "3", "--email-prefix", "judge");
        Assert.True(code == 0, error + output);
        Assert.Equal(0, JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("votes").GetInt32());
        Assert.Contains("nothing left to rate", output);
    }

    [Fact]
    public async Task Unknown_accounts_without_an_invitation_and_a_missing_password_are_refused_with_reasons()
    {
        var (code, _, error) = await CliProcess.RunAsync(new Dictionary<string, string> { ["RLHF_SIMULATE_PASSWORD"] = Password }, null,
            "simulate", "--url", site.BaseAddress.ToString(), "--project", "1", "--raters", "1", "--email-prefix", "stranger");
        Assert.Equal(1, code);
        Assert.Contains("stranger-001@simulated.test could not sign in: 401 Wrong e-mail or password. (give --invitation", error);

        (code, _, error) = await CliProcess.RunAsync(new Dictionary<string, string> { ["RLHF_SIMULATE_PASSWORD"] = "" }, null,
            "simulate", "--url", site.BaseAddress.ToString(), "--project", "1");
        Assert.Equal(2, code);
        Assert.Contains("RLHF_SIMULATE_PASSWORD", error);

        (code, _, error) = await CliProcess.RunAsync(new Dictionary<string, string> { ["RLHF_SIMULATE_PASSWORD"] = Password }, null,
            "simulate", "--url", site.BaseAddress.ToString(), "--project", "1", "--tie-margin", "2");
        Assert.Equal(2, code);
        Assert.Contains("strong-margin must be larger than tie-margin", error);
    }

    private static async Task<(int ProjectId, string Invitation)> ProjectAsync(SiteData data, int comparisons, int overlap)
    {
        var pools = data.Services.GetRequiredService<PoolService>();
        var (poolId, poolError) = await pools.CreatePoolAsync($"simulated {Guid.NewGuid():N}", "", null);
        Assert.Null(poolError);
        var (_, invitation, invitationError) = await pools.CreateInvitationAsync(poolId!.Value, 1, 100, null);
        Assert.Null(invitationError);

        await using var db = await data.DbAsync();
        var now = DateTime.UtcNow;
        var project = new Project { Name = $"simulated {Guid.NewGuid():N}", Status = ProjectStatus.Active, Overlap = overlap, GoldRate = 0, CreatedAtUtc = now };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = poolId.Value });
        for (var i = 0; i < comparisons; i++)
        {
            var prompt = new Prompt { ProjectId = project.Id, Text = $"My order 48213 was supposed to arrive on Monday, but it still has not come. ({i})", CreatedAtUtc = now };
            db.Prompts.Add(prompt);
            await db.SaveChangesAsync();
            var a = new Response { PromptId = prompt.Id, Text = Helpful, CreatedAtUtc = now };
            var b = new Response { PromptId = prompt.Id, Text = Curt, CreatedAtUtc = now };
            db.Responses.AddRange(a, b);
            await db.SaveChangesAsync();
            db.Comparisons.Add(new Comparison { ProjectId = project.Id, PromptId = prompt.Id, ResponseAId = a.Id, ResponseBId = b.Id, RequiredVotes = overlap, CreatedAtUtc = now });
        }
        await db.SaveChangesAsync();
        return (project.Id, invitation!);
    }
}
