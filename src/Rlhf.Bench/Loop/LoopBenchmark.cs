using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Identity;
using Rlhf.Core.Jobs;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Rating;
using Rlhf.Data.Users;
using Rlhf.Demo.Campaign;
using Rlhf.Jobs.Generation;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Demo.Corpus;
using Rlhf.Training.Reward;
using Rlhf.Demo.Simulation;
using Rlhf.Training.Sampling;

namespace Rlhf.Bench.Loop;

/// <summary>
/// `rlhf bench loop`: the whole RLHF loop on the demo task, from scratch, with simulated raters instead of people and
/// the demo judge as the truth. Every stage is the platform's own job or service on a fresh SQLite file:
/// <list type="number">
/// <item>generate: a project of demo prompts, two responses each from the shipped demo policy (generation job);</item>
/// <item>votes: simulated raters (<see cref="SimulatedRater"/> over <see cref="DemoJudge"/>) take assignments and vote
/// through <see cref="RatingService"/>, as the rating page does;</item>
/// <item>reward run on the project's votes (reward-run job);</item>
/// <item>the method (--method, default PPO) from the demo policy: PPO or GRPO against that reward model (ppo-run,
/// grpo-run job), or DPO on the votes' pairs (dpo-run job); with --compare all three, one after the other, on the same
/// votes, and each under the same budget of process CPU time. PPO's rollouts are scored by the judge too, giving the
/// gold-vs-proxy curve against sqrt(KL) of Gao et al. 2022;</item>
/// <item>generate again, per method: "rate against the reference" (the new policy vs the starting one on held-out
/// prompts), scored by the judge (gold) and the reward model (proxy), its KL to the reference measured alike for all
/// (<see cref="ReferenceKl"/>), and voted on by the simulated raters (win rate).</item>
/// </list>
/// </summary>
public sealed class LoopBenchmark(
    IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, GenerationService generation, RatingService rating,
    UserDirectory users, RewardRunService rewardRuns, PpoRunService ppoRuns, GrpoRunService grpoRuns, DpoRunService dpoRuns, LoopService loop,
    JobQueue queue, JobRunner runner)
{
    public async Task<LoopBenchmarkResult> RunAsync(LoopBenchmarkOptions o, string workFolder, Action<string> log, CancellationToken ct)
    {
        if (o.Problem() is { } problem) throw new ArgumentException(problem);
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();

        // ---- 1. Generate: demo prompts, two responses each from the shipped policy.
        var policy = await registry.EnsureShippedDemoAsync(ct)
            ?? throw new InvalidOperationException($"The shipped demo policy ({ModelRegistry.ShippedDemoFolder}) is missing under the content root.");
        var (projectId, raters) = await CreateProjectAsync(o, ct);
        log($"set-up: demo policy registered, {o.Prompts} prompts, {raters.Count} simulated raters in {clock.Elapsed.TotalSeconds:F1} s");
        await RunJobAsync(await Enqueue(generation.EnqueueAsync(new GenerationRequest
        {
            ProjectId = projectId, ModelIds = [policy.Id], ResponsesPerPrompt = o.ResponsesPerPrompt, MaxNewTokens = o.ResponseLength,
            Temperature = 0.9, TopP = 0.95, Seed = o.Seed, PromptsPerBatch = 16,
        }, null, ct)), ct);
        var comparisons = await CountComparisonsAsync(projectId, ct);
        var generateSeconds = Lap(clock);
        log($"generate: {comparisons} comparisons from {policy.Name} in {generateSeconds:F0} s");

        // ---- 2. Simulated votes.
        var (votes, agree, _) = await VoteAsync(raters, o, projectId, ct);
        var voteSeconds = Lap(clock);
        log($"votes: {votes} votes by {raters.Count} simulated raters in {voteSeconds:F1} s (agree with the judge {(double)agree / Math.Max(1, votes):P0})");

        // ---- 3. Reward run on the project's votes: PPO's and GRPO's reward, and every method's proxy score.
        var rewardJob = await Enqueue(rewardRuns.EnqueueAsync(new RewardRunRequest
        {
            Name = "bench-loop-reward", BaseModelId = policy.Id, ProjectId = projectId, Config = o.Reward with { Seed = o.Seed },
        }, null, ct));
        await RunJobAsync(rewardJob, ct);
        var rewardModel = await ProducedModelAsync(rewardJob, ct);
        var rewardMetrics = await queue.ReadMetricsAsync(rewardJob, ct);
        var accuracy = rewardMetrics.Where(m => m.Name == "eval/accuracy").Select(m => m.Value).LastOrDefault(double.NaN);
        int pairs;
        await using (var db = await contexts.CreateDbContextAsync(ct)) pairs = (await PreferenceData.FromProjectAsync(db, projectId, new PreferencePolicy(), ct)).Count;
        var rewardSeconds = Lap(clock);
        log($"reward run: {pairs} preference pairs, validation accuracy {accuracy:F3} in {rewardSeconds:F0} s");

        // ---- 4. Each method from the same base on the same project, then rated against the reference.
        var methods = new List<LoopMethodResult>();
        foreach (var method in o.Methods)
            methods.Add(await RunMethodAsync(method, o, policy, rewardModel, projectId, raters, log, ct));

        return new LoopBenchmarkResult
        {
            Seconds = new LoopStageTimes(generateSeconds, voteSeconds, rewardSeconds, total.Elapsed.TotalSeconds),
            Comparisons = comparisons, Votes = votes, RaterAgreementWithJudge = (double)agree / Math.Max(1, votes),
            PreferencePairs = pairs, RewardValidationAccuracy = accuracy, BudgetCpuMinutes = o.BudgetCpuMinutes, Methods = methods, WorkFolder = workFolder,
        };
    }

    /// <summary>
    /// Trains one method as the site's run of its kind (under the CPU budget), then closes the loop as a researcher
    /// would: "rate against the reference" on the held-out prompts, scored by the judge (gold) and the reward model
    /// (proxy), the KL to the reference measured alike for every method, and the simulated raters' votes (win rate).
    /// </summary>
    private async Task<LoopMethodResult> RunMethodAsync(string method, LoopBenchmarkOptions o, Model policy, Model rewardModel, int projectId,
        IReadOnlyList<string> raters, Action<string> log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var name = $"bench-loop-{method}";
        var budget = o.BudgetCpuMinutes * 60;
        var enqueue = method switch
        {
            LoopMethods.Ppo => ppoRuns.EnqueueAsync(new PpoRunRequest
            {
                Name = name, PolicyModelId = policy.Id, RewardModelId = rewardModel.Id, ProjectId = projectId, HeldOutFraction = o.HeldOutFraction,
                Config = o.Ppo with { ResponseLength = o.ResponseLength, Seed = o.Seed }, MaxCpuSeconds = budget,
            }, null, ct),
            LoopMethods.Grpo => grpoRuns.EnqueueAsync(new GrpoRunRequest
            {
                Name = name, PolicyModelId = policy.Id, RewardModelId = rewardModel.Id, ProjectId = projectId, HeldOutFraction = o.HeldOutFraction,
                Config = o.Grpo with { MaxCompletionLength = o.ResponseLength, Seed = o.Seed }, MaxCpuSeconds = budget,
            }, null, ct),
            LoopMethods.Dpo => dpoRuns.EnqueueAsync(new DpoRunRequest
            {
                Name = name, PolicyModelId = policy.Id, ProjectId = projectId, HeldOutFraction = o.HeldOutFraction,
                Config = o.Dpo with { Seed = o.Seed }, MaxCpuSeconds = budget,
            }, null, ct),
            _ => throw new ArgumentException($"unknown method {method}"),
        };
        var job = await Enqueue(enqueue);
        var cpu = ProcessCpuSeconds();
        await RunJobAsync(job, ct);
        var cpuMinutes = (ProcessCpuSeconds() - cpu) / 60;
        var (steps, planned, trainKl) = await StepsAsync(method, job, o, ct);
        var curve = method == LoopMethods.Ppo ? await CurveAsync(job, ct) : [];
        var trainSeconds = Lap(clock);
        var stoppedBy = steps < planned ? "cpu budget" : "steps";
        log($"{method} run: {steps} of {planned} steps ({stoppedBy}) in {cpuMinutes:F2} CPU-minutes, {trainSeconds:F0} s");

        var (againId, againJob, errors) = await loop.RateAgainstReferenceAsync(job, null, ct);
        if (againId is null || againJob is null) throw new InvalidOperationException(string.Join(" ", errors));
        await RunJobAsync(againJob.Value, ct);
        var newPolicy = await ProducedModelAsync(job, ct);
        var (heldOut, heldOutPrompts, goldBefore, goldAfter, proxyBefore, proxyAfter) = await ScoreAsync(againId.Value, newPolicy.Id, policy.Id, rewardModel, o, ct);
        var (kl, _) = ReferenceKl.Estimate(registry.FolderOf(newPolicy), registry.FolderOf(policy), heldOutPrompts, o.ResponseLength, o.Ppo.Temperature, (ulong)o.Seed);
        var (_, _, winRate) = await VoteAsync(raters, o, againId.Value, ct, newPolicy.Id);
        var evaluateSeconds = Lap(clock);
        log($"{method}: {heldOut} held-out prompts, gold {goldBefore:F3} -> {goldAfter:F3}, proxy {proxyBefore:F3} -> {proxyAfter:F3}, KL {kl:F2}, " +
            $"simulated raters prefer it in {winRate:P0} of decisive votes");

        return new LoopMethodResult
        {
            Method = method, JobId = job, Steps = steps, PlannedSteps = planned, StoppedBy = stoppedBy, CpuMinutes = cpuMinutes, TrainSeconds = trainSeconds,
            HeldOutPrompts = heldOut, GoldBefore = goldBefore, GoldAfter = goldAfter, ProxyBefore = proxyBefore, ProxyAfter = proxyAfter,
            Kl = kl, TrainKl = trainKl, SimulatedWinRate = winRate, EvaluateSeconds = evaluateSeconds, Curve = curve,
        };
    }

    /// <summary>Steps made and planned, and the trainer's own KL at the last step (NaN for DPO), from the job's metrics.</summary>
    private async Task<(long Steps, long Planned, double TrainKl)> StepsAsync(string method, long job, LoopBenchmarkOptions o, CancellationToken ct)
    {
        var metrics = await queue.ReadMetricsAsync(job, ct);
        var steps = metrics.Count == 0 ? 0 : metrics.Max(m => m.Step);
        double Last(string name) => metrics.Where(m => m.Name == name && m.Step == steps).Select(m => m.Value).LastOrDefault(double.NaN);
        return method switch
        {
            LoopMethods.Ppo => (steps, o.Ppo.Steps, Last("objective/kl")),
            LoopMethods.Grpo => (steps, o.Grpo.Steps, Last("kl")),
            // DPO's step count follows from its pairs: epoch = step / steps per epoch.
            _ => (steps, Last("epoch") is var epoch && epoch > 0 ? (long)Math.Round(steps * o.Dpo.Epochs / epoch) : steps, double.NaN),
        };
    }

    private static double ProcessCpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private async Task<(int ProjectId, IReadOnlyList<string> Raters)> CreateProjectAsync(LoopBenchmarkOptions o, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = DateTime.UtcNow;
        var pool = new Pool { Name = "bench-loop raters", Description = "Simulated raters of rlhf bench loop.", CreatedAtUtc = now };
        var project = new Project
        {
            Name = "bench-loop: customer-support replies", Guidelines = DemoCampaign.Guidelines, Status = ProjectStatus.Active,
            Overlap = o.Overlap, GoldRate = 0, LeaseMinutes = 15, CreatedAtUtc = now,
        };
        db.AddRange(pool, project);
        await db.SaveChangesAsync(ct);
        db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool.Id });
        db.Prompts.AddRange(DemoCorpus.Prompts(o.PromptSeed, o.Prompts).Select(t => new Prompt { ProjectId = project.Id, Text = t, CreatedAtUtc = now }));
        await db.SaveChangesAsync(ct);

        var raters = new List<string>();
        for (var i = 1; i <= o.Raters; i++)
        {
            var password = "Sim-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)); // never shown: nobody signs in as them
            var created = await users.CreateAsync($"sim-rater-{i:D3}@bench-loop.test", [Roles.Rater], password, null, ct);
            if (!created.Succeeded) throw new InvalidOperationException(created.Error);
            raters.Add(created.UserId!);
            db.PoolMembers.Add(new PoolMember { PoolId = pool.Id, UserId = created.UserId!, AddedAtUtc = now });
        }
        await db.SaveChangesAsync(ct);
        return (project.Id, raters);
    }

    /// <summary>
    /// The simulated raters take turns until none gets an assignment of the project. Returns the votes, how many agree
    /// with the judge's noiseless preference, and (with <paramref name="preferredModelId"/>) the share of decisive votes
    /// for that model's response.
    /// </summary>
    private async Task<(int Votes, int Agree, double WinRate)> VoteAsync(IReadOnlyList<string> raters, LoopBenchmarkOptions o, int projectId,
        CancellationToken ct, int? preferredModelId = null)
    {
        var random = new Random(o.Seed);
        int votes = 0, agree = 0, wins = 0, decisive = 0;
        var active = raters.ToList();
        var models = preferredModelId is null ? [] : ResponseModels(await ProjectResponsesAsync(projectId, ct));
        while (active.Count > 0)
        {
            foreach (var rater in active.ToList())
            {
                var task = await rating.NextAsync(rater, ct);
                if (task is null || task.ProjectId != projectId) { active.Remove(rater); continue; }
                var (vote, agrees) = SimulatedRater.OnDemoTask(task.Prompt, task.Left, task.Right, o.Rater, random);
                var stored = await rating.SubmitAsync(rater, task.AssignmentId, vote.ScreenChoice, vote.BothBad, null, ct);
                if (stored.Outcome is not (RatingOutcome.Stored or RatingOutcome.AlreadyStored)) throw new InvalidOperationException($"a simulated vote was refused: {stored.Error}");
                votes++;
                if (agrees) agree++;
                if (preferredModelId is int m && vote.ScreenChoice != 0)
                {
                    decisive++;
                    var chosenText = vote.ScreenChoice < 0 ? task.Left : task.Right;
                    if (models.TryGetValue((task.Prompt, chosenText), out var modelId) && modelId == m) wins++;
                }
            }
        }
        return (votes, agree, decisive == 0 ? double.NaN : (double)wins / decisive);
    }

    /// <summary>Every response of the project's prompts: the prompt text, the response text and the model that wrote it.</summary>
    private async Task<List<(string Prompt, string Response, int? ModelId)>> ProjectResponsesAsync(int projectId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await (from r in db.Responses join p in db.Prompts on r.PromptId equals p.Id
                          where p.ProjectId == projectId select new { p.Text, Response = r.Text, r.ModelId }).ToListAsync(ct);
        return rows.Select(r => (r.Text, r.Response, r.ModelId)).ToList();
    }

    /// <summary>The model of each (prompt, response text), to tell whose response a vote chose; null when two models wrote the same text.</summary>
    private static Dictionary<(string, string), int?> ResponseModels(List<(string Prompt, string Response, int? ModelId)> rows)
    {
        var map = new Dictionary<(string, string), int?>();
        foreach (var row in rows) map[(row.Prompt, row.Response)] = map.TryGetValue((row.Prompt, row.Response), out var seen) && seen != row.ModelId ? null : row.ModelId;
        return map;
    }

    /// <summary>Gold (judge) and proxy (reward model) means of each side of the generate-again project.</summary>
    private async Task<(int HeldOut, IReadOnlyList<string> Prompts, double GoldBefore, double GoldAfter, double ProxyBefore, double ProxyAfter)> ScoreAsync(
        int projectId, int newPolicyId, int referenceId, Model rewardModel, LoopBenchmarkOptions o, CancellationToken ct)
    {
        var rows = await ProjectResponsesAsync(projectId, ct);
        var before = rows.Where(r => r.ModelId == referenceId).Select(r => (r.Prompt, r.Response)).ToList();
        var after = rows.Where(r => r.ModelId == newPolicyId).Select(r => (r.Prompt, r.Response)).ToList();
        if (before.Count == 0 || after.Count == 0) throw new InvalidOperationException("the generate-again project has no responses of both policies");
        using var model = Gpt2Checkpoint.LoadRewardModel(registry.FolderOf(rewardModel));
        model.eval();
        double Proxy(List<(string, string)> items) => RewardTrainer.Score(model, items, o.Reward.MaxLength).Average();
        double Gold(List<(string Prompt, string Response)> items) => items.Average(i => DemoJudge.Score(i.Prompt, i.Response));
        var prompts = rows.Select(r => r.Prompt).Distinct().ToList();
        return (prompts.Count, prompts, Gold(before), Gold(after), Proxy(before), Proxy(after));
    }

    /// <summary>Per sampled PPO update: objective/kl, objective/scores and the judge's mean score of that update's rollouts.</summary>
    private async Task<IReadOnlyList<LoopCurvePoint>> CurveAsync(long ppoJob, CancellationToken ct)
    {
        var metrics = (await queue.ReadMetricsAsync(ppoJob, ct)).GroupBy(m => m.Step).ToDictionary(g => g.Key, g => g.ToDictionary(m => m.Name, m => m.Value));
        var samples = await ppoRuns.ReadSamplesAsync(ppoJob, ct);
        return samples.GroupBy(s => s.Step).OrderBy(g => g.Key).Where(g => metrics.ContainsKey(g.Key)).Select(g =>
        {
            var kl = metrics[g.Key]["objective/kl"];
            return new LoopCurvePoint(g.Key, kl, Math.Sqrt(Math.Max(0, kl)), metrics[g.Key]["objective/scores"],
                g.Average(s => DemoJudge.Score(s.Prompt, s.Response)));
        }).ToList();
    }

    private async Task<Model> ProducedModelAsync(long jobId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.ProducedByJobId == jobId, ct)
            ?? throw new InvalidOperationException($"job {jobId} registered no model");
    }

    private async Task<int> CountComparisonsAsync(int projectId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Comparisons.CountAsync(c => c.ProjectId == projectId, ct);
    }

    private static async Task<long> Enqueue(Task<EnqueueResult> enqueue)
    {
        var result = await enqueue;
        return result.Outcome == EnqueueOutcome.Queued ? result.JobId!.Value : throw new InvalidOperationException(string.Join(" ", result.Errors));
    }

    /// <summary>Runs queued jobs on this thread until the queue is empty; the given job must have succeeded.</summary>
    private async Task RunJobAsync(long jobId, CancellationToken ct)
    {
        while (await runner.RunNextAsync(ct)) { }
        var job = await queue.GetAsync(jobId, ct);
        if (job?.Status != JobStatus.Succeeded) throw new InvalidOperationException($"job {jobId} ({job?.Kind}) ended {job?.Status}: {job?.Error}");
    }

    private static double Lap(Stopwatch clock)
    {
        var s = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return s;
    }
}
