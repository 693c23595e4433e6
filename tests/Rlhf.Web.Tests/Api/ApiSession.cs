using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rlhf.Web.Tests.Api;

/// <summary>The test site's REST API as a script uses it: sign in with a password for a bearer token, poll a job.</summary>
internal static class ApiSession
{
    public static Task<HttpClient> AdminAsync(RlhfWebFactory factory) =>
        SignInAsync(factory, RlhfWebFactory.AdminEmail, RlhfWebFactory.AdminPassword);

    public static async Task<HttpClient> SignInAsync(RlhfWebFactory factory, string email, string password)
    {
        var response = await factory.Client().PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WithToken(factory, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
    }

    public static HttpClient WithToken(RlhfWebFactory factory, string? token)
    {
        var client = factory.Client();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<JsonElement> WaitForJobAsync(HttpClient client, long jobId)
    {
        for (var i = 0; i < 300; i++)
        {
            var job = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobId}");
            var status = job.GetProperty("status").GetString();
            if (status is "Succeeded" or "Failed" or "Cancelled") return job;
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {jobId} did not end");
    }

    /// <summary>The detail of a problem-details answer with the expected status.</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "";
    }
}
