using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Exchange;

namespace Rlhf.Web.Tests.Api;

/// <summary>Researchers see raters only as the exports' pseudonyms; admins see who they are.</summary>
public class StatisticsPseudonymTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task The_researchers_statistics_name_raters_by_pseudonym_and_the_admins_by_id_and_e_mail()
    {
        var (rater, raterToken) = await ApiScene.UserWithTokenAsync(factory, "rater.person@example.test", "Rater");
        var (researcherId, researcherToken) = await ApiScene.UserWithTokenAsync(factory, "res@example.test", "Researcher");
        var project = await ApiScene.ProjectForRatersAsync(factory, rater);
        await ApiScene.OwnedByAsync(factory, project, researcherId);
        var api = ApiScene.Api(factory, raterToken);
        var assignment = (await api.GetFromJsonAsync<JsonElement>("/api/v1/assignments/next")).GetProperty("assignmentId").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/assignments/{assignment}/vote", new { choice = 1 })).StatusCode);
        var pseudonym = factory.Services.GetRequiredService<RaterPseudonyms>().For(project, rater);

        var researcher = ApiScene.Api(factory, researcherToken);
        var seen = await researcher.GetStringAsync($"/api/v1/projects/{project}/statistics");
        Assert.DoesNotContain(rater, seen);
        Assert.DoesNotContain("rater.person", seen);
        var row = JsonDocument.Parse(seen).RootElement.GetProperty("raters").EnumerateArray().Single();
        Assert.Equal(pseudonym, row.GetProperty("raterId").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("email").ValueKind);
        Assert.Equal(1, row.GetProperty("votes").GetInt32());

        // The export names the rater the same way, so statistics and data line up.
        var export = await researcher.GetStringAsync($"/api/v1/projects/{project}/exports/votes");
        Assert.Contains($"\"rater\":\"{pseudonym}\"", export);
        Assert.DoesNotContain(rater, export);

        var admin = await ApiSession.AdminAsync(factory);
        var adminRow = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{project}/statistics")).GetProperty("raters").EnumerateArray().Single();
        Assert.Equal((rater, "rater.person@example.test"), (adminRow.GetProperty("raterId").GetString(), adminRow.GetProperty("email").GetString()));
    }
}
