using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Rlhf.Web.Tests.Api.Errors;

/// <summary>Every /api/v1 error is problem details: unknown routes, missing sign-in, wrong methods, oversized bodies.</summary>
public class ApiErrorTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Theory]
    [InlineData("GET", "/api/v1/no-such-thing")]
    [InlineData("GET", "/api/v1/projects/1/no-such-thing")]
    [InlineData("GET", "/api/v1/jobs/1/cancel")]
    public async Task An_unknown_route_is_a_404_problem_for_anyone_not_a_redirect_to_the_login_page(string method, string path)
    {
        var admin = await ApiSession.AdminAsync(factory);
        foreach (var client in new[] { factory.Client(), admin })
        {
            var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Contains("no API route", await ApiSession.ProblemAsync(response, HttpStatusCode.NotFound));
        }
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem_with_or_without_a_token_and_a_missing_token_a_401_problem()
    {
        var admin = await ApiSession.AdminAsync(factory);
        foreach (var client in new[] { factory.Client(), admin })
            Assert.Contains("DELETE is not allowed", await ApiSession.ProblemAsync(await client.DeleteAsync("/api/v1/projects/1"), HttpStatusCode.MethodNotAllowed));
        await ApiSession.ProblemAsync(await factory.Client().GetAsync("/api/v1/projects/1"), HttpStatusCode.Unauthorized);
        // The site's pages still send an anonymous visitor to the login page.
        var page = await factory.Client().GetAsync("/projects");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task A_body_without_json_content_type_is_a_415_problem()
    {
        var admin = await ApiSession.AdminAsync(factory);
        var response = await admin.PostAsync("/api/v1/projects", new StringContent("{\"name\":\"P\"}", Encoding.UTF8, "text/plain"));
        Assert.Contains("application/json", await ApiSession.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType));
    }
}
