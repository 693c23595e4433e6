using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rlhf.Core.Identity;
using Rlhf.Data;
using Rlhf.Web.Startup;
using Rlhf.Web.Tests.Api;

namespace Rlhf.Web.Tests.Startup;

public class OperationsEndpointsTests : IAsyncLifetime
{
    private const string ScrapeToken = "scrape-token-0123456789";
    private readonly RlhfWebFactory factory = new(new() { [MetricsAccess.ScrapeTokenSetting] = ScrapeToken });

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task Readyz_reports_the_database_and_the_job_runner_of_a_started_site()
    {
        var response = await factory.Client().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ready", report.GetProperty("status").GetString());
        Assert.Equal("ok", report.GetProperty("database").GetString());
        Assert.Equal("running", report.GetProperty("jobRunner").GetString());
    }

    [Fact]
    public async Task Readyz_is_503_naming_the_database_when_it_cannot_be_reached()
    {
        // A database that cannot be opened: a read-only SQLite file that does not exist.
        var missing = Path.Combine(Path.GetTempPath(), $"rlhf-missing-{Guid.NewGuid():N}", "rlhf.db");
        var options = new DbContextOptionsBuilder<RlhfDbContext>().UseSqlite($"Data Source={missing};Mode=ReadOnly").Options;
        var result = await Readiness.CheckAsync(new FixedFactory(options), new ServiceCollection().BuildServiceProvider(),
            NullLoggerFactory.Instance, CancellationToken.None);

        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var report = await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body);
        Assert.Equal("not ready", report.GetProperty("status").GetString());
        Assert.Equal("unreachable", report.GetProperty("database").GetString());
        Assert.Equal("not hosted here", report.GetProperty("jobRunner").GetString());
    }

    [Fact]
    public async Task Metrics_are_refused_to_anonymous_callers_raters_and_wrong_tokens()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client().GetAsync("/metrics")).StatusCode);
        var (_, raterToken) = await ApiScene.UserWithTokenAsync(factory, "rater@example.test", Roles.Rater);
        Assert.Equal(HttpStatusCode.Forbidden, (await ApiScene.Api(factory, raterToken).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ApiScene.Api(factory, ScrapeToken + "x").GetAsync("/metrics")).StatusCode);
        var rater = await ApiSession.SignInAsync(factory, "rater@example.test", "Some-Password-1");
        Assert.Equal(HttpStatusCode.Forbidden, (await rater.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_count_votes_and_time_hand_outs_for_the_scraper_and_for_admins()
    {
        var (raterId, raterToken) = await ApiScene.UserWithTokenAsync(factory, "voter@example.test", Roles.Rater);
        await ApiScene.ProjectForRatersAsync(factory, raterId);
        var scraper = factory.Client();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);
        var before = await scraper.GetStringAsync("/metrics");

        var rater = ApiScene.Api(factory, raterToken);
        var next = await rater.GetFromJsonAsync<JsonElement>("/api/v1/assignments/next");
        var vote = await rater.PostAsJsonAsync($"/api/v1/assignments/{next.GetProperty("assignmentId").GetInt64()}/vote", new { choice = 1 });
        Assert.True(vote.IsSuccessStatusCode);

        var after = await scraper.GetStringAsync("/metrics");
        Assert.True(Value(after, "rlhf_votes_stored_total") - Value(before, "rlhf_votes_stored_total") >= 1, after);
        Assert.True(Value(after, "rlhf_handout_duration_seconds_count") >= 1);
        // Every SQL command is counted: the hand-out and the vote each read and write at least once.
        Assert.True(Value(after, "rlhf_db_commands_total") - Value(before, "rlhf_db_commands_total") >= 4, after);
        Assert.True(Value(after, "rlhf_vote_duration_seconds_count") >= 1);
        // The hand-out and the vote were written in group commits: counted, with their sizes.
        Assert.True(Value(after, "rlhf_rating_commits_total") - Value(before, "rlhf_rating_commits_total") >= 1, after);
        Assert.True(Value(after, "rlhf_rating_commit_writes_count") >= 1, after);
        Assert.True(Value(after, "rlhf_rating_commit_writes_sum") >= Value(after, "rlhf_rating_commit_writes_count"), after);
        Assert.Matches(new Regex(@"^rlhf_jobs_queued(_\w+)?(\{[^}]*\})? \d", RegexOptions.Multiline), after);

        var admin = await ApiSession.AdminAsync(factory); // the site's cookie
        Assert.Contains("rlhf_votes_stored_total", await admin.GetStringAsync("/metrics"));
    }

    /// <summary>The value of a Prometheus series (summed over its label sets); 0 when absent.</summary>
    private static double Value(string exposition, string series) =>
        Regex.Matches(exposition, $@"^{series}(\{{[^}}]*\}})? (\S+)", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    private sealed class FixedFactory(DbContextOptions<RlhfDbContext> options) : IDbContextFactory<RlhfDbContext>
    {
        public RlhfDbContext CreateDbContext() => new(options);
    }
}
