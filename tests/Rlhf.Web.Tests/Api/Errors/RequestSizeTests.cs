using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Rlhf.Web.Tests.Api.Errors;

/// <summary>A body over the server's configured limit is a 413 problem, on the real Kestrel server, and nothing is queued.</summary>
public class RequestSizeTests
{
    [Fact]
    public async Task A_body_over_the_kestrel_limit_is_a_413_problem_naming_the_limit_not_a_500_page()
    {
        // The imports endpoint has its own limit (Imports:MaxUploadBytes, the Data page's); both are 4096 here.
        await using var factory = new RlhfWebFactory(new() { ["Imports:MaxUploadBytes"] = "4096" });
        factory.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 4096;
        });
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var (researcherId, token) = await ApiScene.UserWithTokenAsync(factory, "res@example.test", "Researcher");
        var admin = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(address), AllowAutoRedirect = false });
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // Kestrel closes a connection whose request body it refused; a pooled connection reused for the next request
        // would then end early ("response ended prematurely"), so each request gets its own connection.
        admin.DefaultRequestHeaders.ConnectionClose = true;
        var project = await ApiScene.ProjectForRatersAsync(factory);
        await ApiScene.OwnedByAsync(factory, project, researcherId);
        var line = "{\"prompt\":\"" + new string('x', 100) + "\"}\n";
        var big = string.Concat(Enumerable.Repeat(line, 100)); // ~11 KB

        var raw = await admin.PostAsync($"/api/v1/projects/{project}/imports?format=jsonl", new StringContent(big, Encoding.UTF8, "application/x-ndjson"));
        Assert.Contains("4096", await ApiSession.ProblemAsync(raw, HttpStatusCode.RequestEntityTooLarge));

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(big));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        form.Add(file, "file", "prompts.jsonl");
        await ApiSession.ProblemAsync(await admin.PostAsync($"/api/v1/projects/{project}/imports", form), HttpStatusCode.RequestEntityTooLarge);

        var json = await admin.PostAsync("/api/v1/projects", new StringContent("{\"name\":\"" + new string('y', 8000) + "\"}", Encoding.UTF8, "application/json"));
        await ApiSession.ProblemAsync(json, HttpStatusCode.RequestEntityTooLarge);

        await using var db = await ApiScene.DbAsync(factory);
        Assert.Equal(0, await db.Jobs.CountAsync());
        // A small import still goes through.
        var small = await admin.PostAsync($"/api/v1/projects/{project}/imports?format=jsonl", new StringContent(line, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);
    }
}
