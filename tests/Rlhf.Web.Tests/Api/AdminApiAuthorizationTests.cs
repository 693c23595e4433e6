using System.Net;
using System.Net.Http.Json;

namespace Rlhf.Web.Tests.Api;

/// <summary>Every admin endpoint: 401 without a token, 403 for raters and researchers, and only admins get through.</summary>
public class AdminApiAuthorizationTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private static readonly (HttpMethod Method, string Path)[] Endpoints =
    [
        (HttpMethod.Get, "/api/v1/users"),
        (HttpMethod.Get, "/api/v1/users/x"),
        (HttpMethod.Post, "/api/v1/users"),
        (HttpMethod.Put, "/api/v1/users/x/roles"),
        (HttpMethod.Post, "/api/v1/users/x/lock"),
        (HttpMethod.Post, "/api/v1/users/x/unlock"),
        (HttpMethod.Get, "/api/v1/pools"),
        (HttpMethod.Get, "/api/v1/pools/1"),
        (HttpMethod.Post, "/api/v1/pools"),
        (HttpMethod.Post, "/api/v1/pools/1/members"),
        (HttpMethod.Delete, "/api/v1/pools/1/members/x"),
        (HttpMethod.Get, "/api/v1/pools/1/invitations"),
        (HttpMethod.Post, "/api/v1/pools/1/invitations"),
        (HttpMethod.Post, "/api/v1/pools/1/invitations/1/revoke"),
        (HttpMethod.Get, "/api/v1/audit"),
    ];

    private static HttpRequestMessage Request((HttpMethod Method, string Path) endpoint) =>
        new(endpoint.Method, endpoint.Path) { Content = endpoint.Method == HttpMethod.Get ? null : JsonContent.Create(new { }) };

    [Fact]
    public async Task Only_admins_reach_the_admin_endpoints()
    {
        var admin = await ApiSession.AdminAsync(factory);
        foreach (var role in new[] { "Rater", "Researcher" })
        {
            var email = $"{role.ToLowerInvariant()}@example.test";
            var created = await admin.PostAsJsonAsync("/api/v1/users", new { email, roles = new[] { role }, password = "Some-Password-1" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var client = await ApiSession.SignInAsync(factory, email, "Some-Password-1");
            foreach (var endpoint in Endpoints)
                Assert.True(HttpStatusCode.Forbidden == (await client.SendAsync(Request(endpoint))).StatusCode, $"{role}: {endpoint}");
        }
        var anonymous = factory.Client();
        foreach (var endpoint in Endpoints)
            await ApiSession.ProblemAsync(await anonymous.SendAsync(Request(endpoint)), HttpStatusCode.Unauthorized);
        foreach (var endpoint in Endpoints)
        {
            var status = (await admin.SendAsync(Request(endpoint))).StatusCode;
            Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"admin: {endpoint} gave {status}");
        }

        // Nothing the refused callers sent was made: two accounts by the admin, no pool.
        Assert.Equal(2, (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/audit?filter=user.created")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/pools")).GetArrayLength());
    }
}
