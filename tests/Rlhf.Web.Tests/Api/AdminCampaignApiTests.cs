using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data;
using Rlhf.Data.Pools;

namespace Rlhf.Web.Tests.Api;

/// <summary>A rating campaign set up by a script with an admin's token only: no browser, no service called directly.</summary>
public class AdminCampaignApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task An_admin_sets_up_a_campaign_over_the_API_and_its_raters_get_work()
    {
        var admin = await ApiSession.AdminAsync(factory);

        // A rater made by the admin, with a generated password shown once.
        var createdUser = await admin.PostAsJsonAsync("/api/v1/users", new { email = "made@example.test", roles = new[] { "Rater" } });
        Assert.Equal(HttpStatusCode.Created, createdUser.StatusCode);
        var user = await createdUser.Content.ReadFromJsonAsync<JsonElement>();
        var madeId = user.GetProperty("id").GetString()!;
        var madePassword = user.GetProperty("generatedPassword").GetString()!;
        Assert.Equal($"/api/v1/users/{madeId}", createdUser.Headers.Location?.OriginalString);

        // A pool, the rater in it, and an invitation link for more raters.
        var createdPool = await admin.PostAsJsonAsync("/api/v1/pools", new { name = "Campaign A", description = "support replies" });
        Assert.Equal(HttpStatusCode.Created, createdPool.StatusCode);
        var pool = (await createdPool.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/v1/pools/{pool}/members", new { email = "made@example.test" })).StatusCode);
        var createdInvitation = await admin.PostAsJsonAsync($"/api/v1/pools/{pool}/invitations", new { validDays = 3, maxUses = 2 });
        Assert.Equal(HttpStatusCode.Created, createdInvitation.StatusCode);
        var invitation = await createdInvitation.Content.ReadFromJsonAsync<JsonElement>();
        var token = invitation.GetProperty("token").GetString()!;
        Assert.EndsWith($"/invite/{token}", invitation.GetProperty("link").GetString());
        Assert.StartsWith("http", invitation.GetProperty("link").GetString());

        // Only the token's hash is stored, and the list never shows the token.
        await using (var scope = factory.Services.CreateAsyncScope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.Invitations.SingleAsync();
            Assert.Equal(invitation.GetProperty("id").GetInt32(), stored.Id);
            Assert.Equal(InvitationToken.Hash(token), stored.TokenHash);
        }
        var listed = await admin.GetStringAsync($"/api/v1/pools/{pool}/invitations");
        Assert.DoesNotContain(token, listed);

        // A second rater joins through the link, without an admin.
        var joined = await factory.Client().PostAsJsonAsync($"/api/v1/invitations/{token}/accept", new { email = "invited@example.test", password = "Invited-Password-1" });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        var members = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/pools/{pool}")).GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("email").GetString()).ToList();
        Assert.Equal(["invited@example.test", "made@example.test"], members);
        var uses = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/pools/{pool}/invitations"))[0];
        Assert.Equal(1, uses.GetProperty("uses").GetInt32());
        Assert.True(uses.GetProperty("usable").GetBoolean());

        // A project for the pool with one comparison (admins hold the researcher calls too).
        var project = await admin.PostAsJsonAsync("/api/v1/projects", new { name = "Campaign A", status = "Active", overlap = 2, goldRate = 0, poolIds = new[] { pool } });
        Assert.Equal(HttpStatusCode.Created, project.StatusCode);
        var projectId = (await project.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var upload = await admin.PostAsync($"/api/v1/projects/{projectId}/imports?format=jsonl",
            new StringContent("""{"prompt": "Where is my order?", "responses": [{"text": "It ships today."}, {"text": "Dunno."}]}""", Encoding.UTF8, "application/x-ndjson"));
        var job = await ApiSession.WaitForJobAsync(admin, (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64());
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());

        // Both raters sign in as a script would and are given the comparison.
        foreach (var (email, password) in new[] { ("made@example.test", madePassword), ("invited@example.test", "Invited-Password-1") })
        {
            var rater = await ApiSession.SignInAsync(factory, email, password);
            var next = await rater.GetAsync("/api/v1/assignments/next");
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            Assert.Equal("Where is my order?", (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt").GetString());
        }

        // The link is revoked; one taken out of the pool.
        var invitationId = invitation.GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/pools/{pool}/invitations/{invitationId}/revoke", null)).StatusCode);
        var late = await factory.Client().PostAsJsonAsync($"/api/v1/invitations/{token}/accept", new { email = "late@example.test", password = "Invited-Password-1" });
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        var invitedId = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/users")).EnumerateArray()
            .Single(u => u.GetProperty("email").GetString() == "invited@example.test").GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/pools/{pool}/members/{invitedId}")).StatusCode);
        Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/pools/{pool}")).GetProperty("members").EnumerateArray());

        // Every step is in the audit trail under the admin's name, as on the pages.
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/audit?filter={Uri.EscapeDataString("(API)")}");
        var actions = audit.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("actorName").GetString() == $"{RlhfWebFactory.AdminEmail} (API)")
            .Select(e => e.GetProperty("action").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "user.created", "pool.created", "pool.member-added", "invitation.created", "invitation.revoked", "pool.member-removed", "project.created" }, actions);
        var used = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?filter=invitation.used");
        Assert.Equal(1, used.GetProperty("total").GetInt32());
    }
}
