using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Projects;
using Rlhf.Data.Queries;
using Rlhf.Jobs.Generation;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Reward;
using Rlhf.Training.Sft;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Closes the loop: from a finished PPO, GRPO or DPO run (a DPO run from a project), or an SFT run from a project, one action makes a rating project on the held-out prompts of the run's
/// project (or another project's prompts, <see cref="RatingPrompts"/>), in the same pools, whose comparisons set the new policy's response against the reference policy's.
/// </summary>
public sealed class LoopService(IDbContextFactory<RlhfDbContext> contexts, RunCatalog runs, GenerationService generation, TimeProvider clock)
{
    /// <summary>Whether runs of <paramref name="kind"/> train a policy that can be rated against its reference (PPO, GRPO, DPO, SFT).</summary>
    public static bool CanRate(RunKind? kind) => kind == RunKind.Ppo || kind == RunKind.Grpo || kind == RunKind.Dpo || kind == RunKind.Sft;

    public async Task<(int? ProjectId, long? GenerationJobId, IReadOnlyList<string> Errors)> RateAgainstReferenceAsync(long runJobId, AuditActor? actor, CancellationToken ct = default) =>
        await RateAgainstReferenceAsync(runJobId, new RatingPrompts(), actor, ct);

    /// <summary>
    /// Makes the rating project of a finished run on the chosen prompts (<paramref name="choice"/>) and starts the
    /// generation of both policies' responses: the project's id and the generation job's, or why not (nothing is made then).
    /// </summary>
    public async Task<(int? ProjectId, long? GenerationJobId, IReadOnlyList<string> Errors)> RateAgainstReferenceAsync(long runJobId, RatingPrompts choice, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (setup, error) = await SetupAsync(db, runJobId, choice, actor, ct);
        if (setup is null) return (null, null, [error!]);
        var (run, request, policy, reference, source, chosen) = setup;
        var label = run.Kind.Label;

        var name = $"{policy.Name} vs {reference.Name}";
        if (await db.Projects.AnyAsync(p => p.Name == name, ct)) return (null, null, [$"A project named '{name}' already exists."]);
        var now = clock.GetUtcNow().UtcDateTime;
        var project = new Project
        {
            Name = name, Status = ProjectStatus.Active, Overlap = source.Overlap, GoldRate = 0, LeaseMinutes = source.LeaseMinutes,
            Guidelines = source.Guidelines, CreatedAtUtc = now, CreatedById = actor?.UserId,
            // The name says which models compete; raters see the source project's title for raters instead (blinding).
            RaterTitle = source.RaterTitle, RaterDescription = source.RaterDescription,
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        foreach (var pool in await db.ProjectPools.Where(pp => pp.ProjectId == source.Id).Select(pp => pp.PoolId).ToListAsync(ct))
            db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool });
        // The new project belongs to whoever asked for it, and the source project's researchers keep working on it.
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == source.Id).Select(m => m.UserId).ToListAsync(ct);
        await ProjectMemberService.AddOwnerAsync(db, project.Id, actor?.UserId, now, ct);
        db.ProjectMembers.AddRange(members.Where(m => m != actor?.UserId)
            .Select(m => new ProjectMember { ProjectId = project.Id, UserId = m, AddedAtUtc = now, AddedById = actor?.UserId }));
        db.Prompts.AddRange(chosen.Select(p => new Prompt { ProjectId = project.Id, Text = p.Text, MessagesJson = p.MessagesJson, CreatedAtUtc = now }));
        AuditLog.Add(db, actor, "loop.rating-project", name, $"from {label} run {runJobId}: {chosen.Count} {(choice.FromProjectId is null ? "held-out prompts" : $"prompts of project {choice.FromProjectId}")}");
        await db.SaveChangesAsync(ct);

        var (jobId, errors) = await generation.EnqueueAsync(new GenerationRequest
        {
            ProjectId = project.Id, ModelIds = [policy.Id, reference.Id], ResponsesPerPrompt = 1,
            MaxNewTokens = request.MaxNewTokens, Temperature = request.Temperature, TopP = 1.0, Seed = request.Seed,
        }, actor, ct);
        return (project.Id, jobId, errors);
    }

    /// <summary>How many prompts each choice would rate: the run's held-out prompts (and its project's id), or why the run cannot be rated.</summary>
    public async Task<(int HeldOut, int? ProjectId, string? Error)> HeldOutAsync(long runJobId, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (setup, error) = await SetupAsync(db, runJobId, new RatingPrompts(), actor, ct);
        return setup is null ? (0, null, error) : (setup.Prompts.Count, setup.Source.Id, null);
    }

    /// <summary>Everything a rating project is made of, checked: the run, its sampling, both policies, the run's project and the chosen prompts.</summary>
    private sealed record RatingSetup(RunSummary Run, RatingSettings Settings, Model Policy, Model Reference, Project Source, List<Prompt> Prompts);

    private async Task<(RatingSetup? Setup, string? Error)> SetupAsync(RlhfDbContext db, long runJobId, RatingPrompts choice, AuditActor? actor, CancellationToken ct)
    {
        if (choice.Problem() is { } problem) return (null, problem);
        var run = await runs.GetAsync(runJobId, actor, ct);
        if (run is null || !CanRate(run.Kind)) return (null, $"There is no PPO, GRPO, DPO or SFT run {runJobId}.");
        var label = run.Kind.Label;
        if (run.Status != JobStatus.Succeeded) return (null, $"{label} run {runJobId} has not finished.");
        if (RatingOf(run.Settings) is not { } request)
            return (null, run.Settings is DpoRunRequest ? $"{label} run {runJobId} trained on a file, not a project's votes: there are no held-out prompts to rate."
                : run.Settings is SftRunRequest ? $"{label} run {runJobId} trained on a file, not a project: there are no held-out prompts to rate."
                : $"The settings of {label} run {runJobId} cannot be read.");

        var policy = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.ProducedByJobId == runJobId && m.Kind == ModelKind.Policy, ct);
        if (policy?.ParentId is not { } referenceId) return (null, $"{label} run {runJobId} registered no policy.");
        var reference = await db.Models.AsNoTracking().SingleAsync(m => m.Id == referenceId, ct);
        var source = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == request.ProjectId, ct);
        if (source is null) return (null, $"The run's project {request.ProjectId} no longer exists.");

        List<Prompt> prompts;
        if (choice.FromProjectId is { } from)
        {
            if (!await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == from, ct)) return (null, $"There is no project {from} you can see.");
            prompts = await db.Prompts.AsNoTracking().Where(p => p.ProjectId == from).OrderBy(p => p.Id).ToListAsync(ct);
            if (prompts.Count == 0) return (null, $"Project {from} has no prompts.");
        }
        else
        {
            var all = await db.Prompts.AsNoTracking().Where(p => p.ProjectId == source.Id).OrderBy(p => p.Id).ToListAsync(ct);
            var trained = run.Settings is SftRunRequest sft ? await SftTrainedPromptsAsync(db, sft, ct) : null;
            prompts = all.Where(p => trained is null ? PromptSplit.IsHeldOut(p.Id, request.HeldOutFraction) : !trained.Contains(SftData.PromptGroup(p.Id)) && !trained.Contains(p.Text)).ToList();
            if (prompts.Count == 0) return (null, "The run held out no prompts (held-out share 0); there is nothing new to rate. Choose another project's prompts.");
        }
        if (choice.MaxPrompts is { } most && prompts.Count > most)
            prompts = Sample(prompts, most, request.Seed);
        return (new RatingSetup(run, request, policy, reference, source, prompts), null);
    }

    /// <summary><paramref name="count"/> of the prompts drawn without replacement with <paramref name="seed"/>, kept in id order.</summary>
    private static List<Prompt> Sample(List<Prompt> prompts, int count, long seed)
    {
        var random = new Random(unchecked((int)seed));
        var indices = Enumerable.Range(0, prompts.Count).ToArray();
        random.Shuffle(indices);
        return indices.Take(count).Order().Select(i => prompts[i]).ToList();
    }

    /// <summary>
    /// The prompt groups an SFT run trained on: the train side of its split (<see cref="PreferenceSplit"/>, as
    /// <see cref="SftTrainer"/> splits) of the project's data as it stands. A demonstration project's held-out prompts are
    /// the others: its validation prompts and the prompts without demonstrations that count (a comparison project's groups
    /// are its prompts' texts).
    /// </summary>
    private static async Task<HashSet<string>> SftTrainedPromptsAsync(RlhfDbContext db, SftRunRequest sft, CancellationToken ct)
    {
        var examples = await SftData.FromProjectAsync(db, sft.ProjectId!.Value, sft.Policy, ct);
        var split = PreferenceSplit.Create(examples.Select(e => e.Group).ToList(), sft.Config.ValidationFraction, sft.Config.Seed);
        return split.Train.Select(i => examples[i].Group).ToHashSet();
    }

    /// <summary>What the rating project is made from: the run's project and held-out share, and how the two policies sample.</summary>
    private sealed record RatingSettings(int ProjectId, double HeldOutFraction, int MaxNewTokens, double Temperature, long Seed);

    /// <summary>
    /// A PPO or GRPO run's own sampling settings; a DPO run (which samples nothing) samples as PPO's defaults do, so the
    /// policies of one project are rated on the same held-out prompts in the same way. Null for a run without a project.
    /// </summary>
    private static RatingSettings? RatingOf(IRunSettings? settings)
    {
        switch (settings)
        {
            case IPolicyRunSettings p:
                var (maxNewTokens, temperature, seed) = p.Sampling();
                return new(p.ProjectId, p.HeldOutFraction, maxNewTokens, temperature, seed);
            case DpoRunRequest { ProjectId: { } projectId } d:
                return new(projectId, d.HeldOutFraction, PpoRunDefaults.Config.ResponseLength, PpoRunDefaults.Config.Temperature, d.Config.Seed);
            case SftRunRequest { ProjectId: { } projectId } s:
                return new(projectId, 0, PpoRunDefaults.Config.ResponseLength, PpoRunDefaults.Config.Temperature, s.Config.Seed);
            default:
                return null;
        }
    }
}
