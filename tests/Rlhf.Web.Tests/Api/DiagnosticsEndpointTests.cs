using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Api;

/// <summary>The memory diagnostics endpoint answers admins only, with positive figures.</summary>
public class DiagnosticsEndpointTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<HttpClient> ApiAsAsync(string email, string role)
    {
        _ = factory.Client(); // start the site (migrations, roles)
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync(email, [role], "Some-Password-1", null);
        Assert.True(created.Succeeded, created.Error);
        var (secret, error) = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(created.UserId!, "test", 1);
        Assert.Null(error);
        var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    [Fact]
    public async Task Only_an_admin_reads_the_sites_memory()
    {
        var admin = await ApiAsAsync("second.admin@example.test", "Admin");
        var memory = await admin.GetFromJsonAsync<JsonElement>("/api/v1/diagnostics/memory");
        Assert.True(memory.GetProperty("gcHeapBytes").GetInt64() > 0);
        Assert.True(memory.GetProperty("workingSetBytes").GetInt64() > 0);
        // An aggressive collection that gives the GC's spare memory back (bench circuits reads the process's memory after it).
        var trimmed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/diagnostics/memory?trim=true");
        Assert.True(trimmed.GetProperty("gcHeapBytes").GetInt64() > 0);
        Assert.True(trimmed.GetProperty("workingSetBytes").GetInt64() > 0);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/diagnostics/memory?trim=maybe")).StatusCode);

        var researcher = await ApiAsAsync("res@example.test", "Researcher");
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.GetAsync("/api/v1/diagnostics/memory")).StatusCode);
        var rater = await ApiAsAsync("rater@example.test", "Rater");
        Assert.Equal(HttpStatusCode.Forbidden, (await rater.GetAsync("/api/v1/diagnostics/memory")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client().GetAsync("/api/v1/diagnostics/memory")).StatusCode);
    }
}
