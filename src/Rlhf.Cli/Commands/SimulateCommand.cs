using System.CommandLine;
using System.Text.Json;
using Rlhf.Demo.Simulation;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf simulate --url URL --project ID --raters N [--invitation TOKEN] [--noise X] [--position-bias X] ...`: N simulated
/// raters sign in through the REST API (joining through the invitation when their accounts do not exist yet) and vote
/// on the project's comparisons by the demo task's scripted judge (<see cref="DemoJudge"/>) with noise and a position
/// bias, until nothing is left to rate. The password of the simulated accounts comes from RLHF_SIMULATE_PASSWORD or
/// --password-stdin. Prints one JSON line per rater and a summary line. Exit codes: 0 done, 1 a rater could not sign
/// in, 2 bad options.
/// </summary>
internal static class SimulateCommand
{
    public const string PasswordVariable = "RLHF_SIMULATE_PASSWORD";

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The site's address, e.g. http://127.0.0.1:5000/.", Required = true };
        var project = new Option<int>("--project") { Description = "The project to rate (the raters' pool should be attached to it).", Required = true };
        var raters = new Option<int>("--raters") { Description = "Simulated raters, voting at the same time.", DefaultValueFactory = _ => 5 };
        var invitation = new Option<string?>("--invitation") { Description = "An invitation token (the part after /invite/) used to create accounts that do not exist yet." };
        var prefix = new Option<string>("--email-prefix") { Description = "Accounts are PREFIX-001@DOMAIN, PREFIX-002@DOMAIN, ...", DefaultValueFactory = _ => "sim-rater" };
        var domain = new Option<string>("--email-domain") { DefaultValueFactory = _ => "simulated.test" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = $"Read the accounts' password from standard input (else {PasswordVariable})." };
        var judge = new Option<string>("--judge") { Description = "The scripted judge: demo (the customer-support demo task).", DefaultValueFactory = _ => "demo" };
        judge.AcceptOnlyFromAmong("demo");
        var defaults = new SimulatedRaterOptions();
        var noise = new Option<double>("--noise") { Description = "Std. dev. of the rater's noise on the gold score difference.", DefaultValueFactory = _ => defaults.Noise };
        var bias = new Option<double>("--position-bias") { Description = "Lean towards the left response in score units (negative: right).", DefaultValueFactory = _ => 0 };
        var tie = new Option<double>("--tie-margin") { DefaultValueFactory = _ => defaults.TieMargin };
        var strong = new Option<double>("--strong-margin") { DefaultValueFactory = _ => defaults.StrongMargin };
        var votes = new Option<int>("--votes-per-rater") { Description = "Stop each rater after this many votes (0: when nothing is left).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };

        var command = new Command("simulate", "Simulated raters vote through the REST API by a scripted judge, with noise and position bias.")
        {
            url, project, raters, invitation, prefix, domain, passwordStdin, judge, noise, bias, tie, strong, votes, seed,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var password = parseResult.GetValue(passwordStdin) ? Console.In.ReadLine() : Environment.GetEnvironmentVariable(PasswordVariable);
            var options = new SimulatedRaterOptions
            {
                Noise = parseResult.GetValue(noise), PositionBias = parseResult.GetValue(bias),
                TieMargin = parseResult.GetValue(tie), StrongMargin = parseResult.GetValue(strong),
            };
            string? problem = null;
            if (!Uri.TryCreate(parseResult.GetValue(url), UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https")) problem = "--url must be an http(s) address, e.g. http://127.0.0.1:5000/";
            else if (parseResult.GetValue(raters) is < 1 or > 10_000) problem = "--raters must be between 1 and 10000";
            else if (parseResult.GetValue(votes) < 0) problem = "--votes-per-rater must be 0 or more";
            else if (string.IsNullOrEmpty(password)) problem = $"set the simulated accounts' password in {PasswordVariable} or pass --password-stdin";
            else if (options.Problem() is { } p) problem = $"--{p}";
            if (problem is not null)
            {
                await error.WriteLineAsync($"rlhf: {problem}.");
                return 2;
            }

            var settings = new SimulationSettings
            {
                BaseAddress = new Uri(address!.ToString().TrimEnd('/') + "/"), ProjectId = parseResult.GetValue(project),
                Raters = parseResult.GetValue(raters), Password = password!, Invitation = parseResult.GetValue(invitation),
                EmailPrefix = parseResult.GetValue(prefix)!, EmailDomain = parseResult.GetValue(domain)!,
                MaxVotesPerRater = parseResult.GetValue(votes), Seed = parseResult.GetValue(seed), Rater = options,
            };
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
            {
                BaseAddress = settings.BaseAddress, Timeout = TimeSpan.FromSeconds(60),
            };
            var started = DateTime.UtcNow;
            RaterOutcome[] outcomes;
            try
            {
                outcomes = await Task.WhenAll(Enumerable.Range(1, settings.Raters).Select(i => new SimulatedRaterSession(http, settings, i).RunAsync(ct)));
            }
            catch (Exception ex) when (ex is SimulationException or HttpRequestException)
            {
                await error.WriteLineAsync($"rlhf: {ex.Message}");
                return 1;
            }
            var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            foreach (var o in outcomes) await output.WriteLineAsync(JsonSerializer.Serialize(o, web));
            var total = outcomes.Sum(o => o.Votes);
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                project = settings.ProjectId, raters = settings.Raters, votes = total, errors = outcomes.Sum(o => o.Errors),
                agreement_with_judge = total == 0 ? (double?)null : Math.Round((double)outcomes.Sum(o => o.AgreeWithJudge) / total, 4),
                seconds = Math.Round((DateTime.UtcNow - started).TotalSeconds, 2),
            }));
            return 0;
        });
        return command;
    }
}
