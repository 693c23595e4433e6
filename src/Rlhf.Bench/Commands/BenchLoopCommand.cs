using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Data;
using Rlhf.Data.Database;
using Rlhf.Data.Hosting;
using Rlhf.Jobs;
using Rlhf.Jobs.Training;
using Rlhf.Bench.Loop;
using Rlhf.Jobs.Runner;
using Rlhf.Training;

namespace Rlhf.Bench.Commands;

/// <summary>
/// `rlhf bench loop [--method ppo|dpo|grpo | --compare] [--budget-cpu-minutes M] [--out DIR] [--prompts N] [--ppo-steps N] ...`:
/// the whole loop on the demo task from scratch (<see cref="LoopBenchmark"/>) on a fresh SQLite file in DIR, with one
/// method or all three on the same votes. Writes DIR/loop.json (also printed), DIR/loop.md (the table),
/// DIR/methods.svg (gold gain against CPU-minutes and sqrt(KL)) and, with PPO, DIR/gold-vs-proxy.svg; progress goes
/// to stderr. Exit codes: 0 done (whether or not the gold score rose: the JSON says), 1 a stage failed, 2 bad options.
/// </summary>
internal static class BenchLoopCommand
{
    public static Command Create()
    {
        var d = new LoopBenchmarkOptions();
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Folder for the run's database, models, loop.json and gold-vs-proxy.svg (default: data/bench-loop/<time>; must be empty or new)." };
        var prompts = new Option<int>("--prompts") { Description = "Demo prompts in the project.", DefaultValueFactory = _ => d.Prompts };
        var heldOut = new Option<double>("--held-out") { Description = "Share of prompts kept out of PPO for the after-comparison.", DefaultValueFactory = _ => d.HeldOutFraction };
        var perPrompt = new Option<int>("--responses-per-prompt") { Description = "Responses per prompt in the first generation (every pair is compared).", DefaultValueFactory = _ => d.ResponsesPerPrompt };
        var raters = new Option<int>("--raters") { Description = "Simulated raters.", DefaultValueFactory = _ => d.Raters };
        var overlap = new Option<int>("--overlap") { Description = "Votes per comparison.", DefaultValueFactory = _ => d.Overlap };
        var noise = new Option<double>("--noise") { Description = "Simulated raters' noise (std. dev. on the judge's score difference).", DefaultValueFactory = _ => d.Rater.Noise };
        var bias = new Option<double>("--position-bias") { Description = "Simulated raters' lean towards the left response.", DefaultValueFactory = _ => d.Rater.PositionBias };
        var responseLength = new Option<int>("--response-length") { Description = "Tokens per response.", DefaultValueFactory = _ => d.ResponseLength };
        var rewardEpochs = new Option<int>("--reward-epochs") { DefaultValueFactory = _ => d.Reward.Epochs };
        var ppoSteps = new Option<int>("--ppo-steps") { DefaultValueFactory = _ => d.Ppo.Steps };
        var ppoBatch = new Option<int>("--ppo-batch") { DefaultValueFactory = _ => d.Ppo.BatchSize };
        var ppoLr = new Option<double>("--ppo-lr") { DefaultValueFactory = _ => d.Ppo.LearningRate };
        var klCoef = new Option<double>("--kl-coef") { DefaultValueFactory = _ => d.Ppo.KlCoef };
        var grpoSteps = new Option<int>("--grpo-steps") { DefaultValueFactory = _ => d.Grpo.Steps };
        var dpoEpochs = new Option<int>("--dpo-epochs") { DefaultValueFactory = _ => d.Dpo.Epochs };
        var method = new Option<string>("--method") { Description = $"The method after the reward run: {string.Join(", ", LoopMethods.All)} (default {LoopMethods.Ppo}).", DefaultValueFactory = _ => LoopMethods.Ppo };
        var compare = new Option<bool>("--compare") { Description = "Run PPO, DPO and GRPO one after the other on the same generation, votes and base, and compare them." };
        var budget = new Option<double?>("--budget-cpu-minutes") { Description = "Each method trains until it has used this many process CPU-minutes or its steps end, whichever first (default: steps only)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => d.Seed };
        var computeDtype = new Option<string>("--compute-dtype") { Description = "float32 or bf16: the reward run's and PPO's compute dtype (float32 master weights either way).", DefaultValueFactory = _ => d.Ppo.ComputeDtype };
        var threads = new Option<int?>("--threads") { Description = "Torch intra-op threads (default: min(2, cores))." };

        var command = new Command("loop", "The whole RLHF loop on the demo task with simulated raters: gold and proxy score before and after, KL, time per stage.")
        {
            outDir, method, compare, budget, prompts, heldOut, perPrompt, raters, overlap, noise, bias, responseLength, rewardEpochs, ppoSteps, ppoBatch, ppoLr, klCoef,
            grpoSteps, dpoEpochs, seed, computeDtype, threads,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (parseResult.GetValue(compare) && parseResult.GetResult(method) is { Implicit: false })
            {
                await error.WriteLineAsync("rlhf: --compare runs every method; leave out --method.");
                return 2;
            }
            IReadOnlyList<string> methods = parseResult.GetValue(compare) ? LoopMethods.All : [parseResult.GetValue(method)!.Trim().ToLowerInvariant()];
            // DPO's policy is rated on replies of the site's PPO length, so a run with DPO samples every method at that length.
            var length = parseResult.GetResult(responseLength) is { Implicit: false } || !methods.Contains(LoopMethods.Dpo)
                ? parseResult.GetValue(responseLength) : PpoRunDefaults.Config.ResponseLength;
            var options = d with
            {
                Methods = methods, BudgetCpuMinutes = parseResult.GetValue(budget),
                Grpo = d.Grpo with { Steps = parseResult.GetValue(grpoSteps) }, Dpo = d.Dpo with { Epochs = parseResult.GetValue(dpoEpochs) },
                Prompts = parseResult.GetValue(prompts), HeldOutFraction = parseResult.GetValue(heldOut), ResponsesPerPrompt = parseResult.GetValue(perPrompt),
                Raters = parseResult.GetValue(raters), Overlap = parseResult.GetValue(overlap),
                Rater = d.Rater with { Noise = parseResult.GetValue(noise), PositionBias = parseResult.GetValue(bias) },
                ResponseLength = length, Seed = parseResult.GetValue(seed),
                Reward = d.Reward with { Epochs = parseResult.GetValue(rewardEpochs), ComputeDtype = parseResult.GetValue(computeDtype)!.Trim() },
                Ppo = d.Ppo with
                {
                    Steps = parseResult.GetValue(ppoSteps), BatchSize = parseResult.GetValue(ppoBatch),
                    LearningRate = parseResult.GetValue(ppoLr), KlCoef = parseResult.GetValue(klCoef), ComputeDtype = parseResult.GetValue(computeDtype)!.Trim(),
                },
            };
            var contentRoot = ContentRootLocator.Find();
            var folder = parseResult.GetValue(outDir)?.FullName
                ?? Path.Combine(contentRoot, "data", "bench-loop", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss"));
            string? problem = options.Problem();
            if (problem is null && parseResult.GetValue(threads) is < 1) problem = "threads must be at least 1";
            if (problem is null && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()) problem = $"out: {folder} is not empty";
            if (problem is not null)
            {
                await error.WriteLineAsync($"rlhf: --{problem}.");
                return 2;
            }
            Directory.CreateDirectory(folder);
            TorchThreads.EnsureConfigured(parseResult.GetValue(threads));

            await using var services = Services(folder, contentRoot);
            await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(ct);
            LoopBenchmarkResult result;
            try
            {
                result = await services.GetRequiredService<LoopBenchmark>().RunAsync(options, folder, line => error.WriteLine($"bench loop: {line}"), ct);
            }
            catch (InvalidOperationException ex)
            {
                await error.WriteLineAsync($"rlhf: bench loop failed: {ex.Message}");
                return 1;
            }
            var json = JsonSerializer.Serialize(new
            {
                benchmark = "loop", machine = new { cores = Environment.ProcessorCount, torch_threads = TorchThreads.Configured },
                gold_rose = result.Methods.ToDictionary(m => m.Method, m => m.GoldAfter > m.GoldBefore), result,
                settings = new
                {
                    options.Methods, options.BudgetCpuMinutes, options.Prompts, options.HeldOutFraction, options.ResponsesPerPrompt, options.Raters, options.Overlap,
                    options.Rater, options.ResponseLength, options.Reward, options.Ppo, options.Grpo, options.Dpo,
                },
            }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
            await File.WriteAllTextAsync(Path.Combine(folder, "loop.json"), json, ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "loop.md"), LoopTable.Markdown(result), ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "methods.svg"), MethodComparisonChart.Svg(result.Methods.Select(MethodPoint.Of).ToList(),
                $"bench loop, seed {options.Seed}: gold gain per method" + (options.BudgetCpuMinutes is double b ? $", {b:0.##} CPU-minutes each" : "")), ct);
            if (result.Methods.SingleOrDefault(m => m.Method == LoopMethods.Ppo) is { Curve.Count: > 0 } ppo)
                await File.WriteAllTextAsync(Path.Combine(folder, "gold-vs-proxy.svg"), GoldProxyChart.Svg(ppo.Curve,
                    $"bench loop: gold {ppo.GoldBefore:F2} -> {ppo.GoldAfter:F2}, proxy {ppo.ProxyBefore:F2} -> {ppo.ProxyAfter:F2}"), ct);
            await output.WriteLineAsync(json);
            await error.WriteLineAsync($"bench loop: wrote {Path.Combine(folder, "loop.json")}, loop.md and the charts in {result.Seconds.Total:F0} s");
            return 0;
        });
        return command;
    }

    /// <summary>The platform's data and job services on DIR/rlhf.db, with a job runner this command drives itself.</summary>
    private static ServiceProvider Services(string folder, string contentRoot)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Rlhf"] = $"Data Source={Path.Combine(folder, "rlhf.db")}",
            ["Bootstrap:AdminEmail"] = "admin@bench-loop.test",
            ["RLHF_ADMIN_PASSWORD"] = "Bench-" + Guid.NewGuid().ToString("N"),
            ["Jobs:TorchThreads"] = TorchThreads.Configured?.ToString(),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddRlhfData(configuration, contentRoot);
        services.AddRlhfJobs(configuration);
        services.AddSingleton<JobRunner>();
        services.AddSingleton<LoopBenchmark>();
        return services.BuildServiceProvider();
    }
}
