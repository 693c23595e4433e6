using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rlhf.Demo.Simulation;

/// <summary>
/// One simulated rater over the REST API, as a script of a real rater would be: sign in with e-mail and password
/// (joining through the invitation first when the account does not exist yet), then next assignment -> judge -> vote
/// until there is nothing to rate. It never touches the database.
/// </summary>
public sealed class SimulatedRaterSession(HttpClient http, SimulationSettings settings, int index)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RaterOutcome> RunAsync(CancellationToken ct)
    {
        var email = settings.Email(index);
        var token = await SignInAsync(email, ct);
        var random = new Random(unchecked(settings.Seed * 1_000_003 + index));
        int votes = 0, agree = 0, errors = 0;
        while (settings.MaxVotesPerRater == 0 || votes < settings.MaxVotesPerRater)
        {
            using var next = new HttpRequestMessage(HttpMethod.Get, "api/v1/assignments/next");
            next.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var nextResponse = await http.SendAsync(next, ct);
            if (nextResponse.StatusCode == HttpStatusCode.NoContent) return new(email, votes, agree, errors, "nothing left to rate");
            if (!nextResponse.IsSuccessStatusCode)
            {
                if (++errors >= 5) return new(email, votes, agree, errors, $"next assignment failed: {await Problem(nextResponse, ct)}");
                continue;
            }
            var task = (await nextResponse.Content.ReadFromJsonAsync<AssignmentView>(Json, ct))!;
            if (task.ProjectId != settings.ProjectId)
                return new(email, votes, agree, errors, $"was given work of project {task.ProjectId}; put the simulated raters in a pool of project {settings.ProjectId} only");

            var (vote, agrees) = SimulatedRater.OnDemoTask(task.Prompt, task.Left, task.Right, settings.Rater, random);
            using var post = new HttpRequestMessage(HttpMethod.Post, $"api/v1/assignments/{task.AssignmentId}/vote")
            {
                Content = JsonContent.Create(new { choice = vote.ScreenChoice, bothBad = vote.BothBad }),
            };
            post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var voted = await http.SendAsync(post, ct);
            if (!voted.IsSuccessStatusCode)
            {
                if (++errors >= 5) return new(email, votes, agree, errors, $"vote failed: {await Problem(voted, ct)}");
                continue;
            }
            votes++;
            if (agrees) agree++;
        }
        return new(email, votes, agree, errors, "vote limit reached");
    }

    private async Task<string> SignInAsync(string email, CancellationToken ct)
    {
        var credentials = new { email, password = settings.Password, name = "rlhf simulate" };
        var signedIn = await http.PostAsJsonAsync("api/v1/auth/token", credentials, ct);
        if (signedIn.StatusCode == HttpStatusCode.Unauthorized && settings.Invitation is { } invitation)
        {
            var joined = await http.PostAsJsonAsync($"api/v1/invitations/{Uri.EscapeDataString(invitation)}/accept", new { email, password = settings.Password }, ct);
            if (!joined.IsSuccessStatusCode) throw new SimulationException($"{email} could not join through the invitation: {await Problem(joined, ct)}");
            signedIn = await http.PostAsJsonAsync("api/v1/auth/token", credentials, ct);
        }
        if (!signedIn.IsSuccessStatusCode)
            throw new SimulationException($"{email} could not sign in: {await Problem(signedIn, ct)}" +
                (settings.Invitation is null ? " (give --invitation to create the accounts)" : ""));
        return (await signedIn.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("token").GetString()!;
    }

    private static async Task<string> Problem(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            var problem = JsonSerializer.Deserialize<JsonElement>(text);
            if (problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d) return $"{(int)response.StatusCode} {d}";
        }
        catch (JsonException) { }
        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    /// <summary>The parts of the API's rating task the simulated rater reads.</summary>
    private sealed record AssignmentView(long AssignmentId, int ProjectId, string Prompt, string Left, string Right);
}
