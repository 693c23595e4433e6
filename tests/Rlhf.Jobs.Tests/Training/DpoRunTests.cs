using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runs;
using Rlhf.Jobs.Training;
using Rlhf.Training.Dpo;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>DPO runs through the job runner: a project's votes or a TRL file, skipped lines reported, the policy registered with its lineage, and rated against its reference.</summary>
public class DpoRunTests
{
    private static readonly DpoConfig Tiny = new() { Epochs = 1, BatchPairs = 4, MaxLength = 24, EvalEvery = 1, LearningRate = 1e-3 };

    [Fact]
    public async Task A_DPO_run_on_a_project_registers_its_policy_with_lineage_and_TRL_metrics()
    {
        await using var h = await JobsHarness.CreateAsync();
        var projectId = await ProjectPairsTests.SceneAsync(h);   // 3 pairs under the default policy
        var policyId = await h.ImportFixtureAsync("gpt2-tiny-lm", "base", ModelKind.Base);
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<DpoRunService>().EnqueueAsync(new DpoRunRequest
        {
            Name = "dpo-policy", PolicyModelId = policyId, ProjectId = projectId, HeldOutFraction = 0, Config = Tiny,
        }, null));
        Assert.True(jobId is not null, string.Join(" ", errors));

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        await using var db = await h.DbAsync();
        var model = await db.Models.SingleAsync(m => m.Name == "dpo-policy");
        Assert.Equal((ModelKind.Policy, (int?)policyId, (long?)jobId), (model.Kind, model.ParentId, model.ProducedByJobId));
        Assert.Contains($"DPO run {jobId} (sigmoid, beta 0.1) from base against reference base on the votes of project {projectId}", model.Notes);
        var names = await db.JobMetrics.Where(m => m.JobId == jobId).Select(m => m.Name).Distinct().ToListAsync();
        foreach (var name in new[] { "loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "logits/chosen", "logits/rejected" })
        {
            Assert.Contains("train/" + name, names);
            Assert.Contains("eval/" + name, names);
        }
        var run = (await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(jobId.Value)))!;
        Assert.Equal((RunKind.Dpo, "dpo-policy", JobStatus.Succeeded), (run.Kind, run.Name, run.Status));
        Assert.Equal(["train/loss", "eval/rewards/accuracies"], run.KeyMetrics.Keys);
        Assert.IsType<DpoRunRequest>(run.Settings);
        var artifacts = await h.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<RunCatalog>().ArtifactsOf(jobId.Value)));
        Assert.True(File.Exists(artifacts.DisagreementsFile));
        Assert.True(File.Exists(Path.Combine(artifacts.ModelFolder, "model.safetensors")));
    }

    [Fact]
    public async Task A_DPO_run_on_a_file_names_each_skipped_line_and_a_bad_request_is_refused()
    {
        await using var h = await JobsHarness.CreateAsync();
        var policyId = await h.ImportFixtureAsync("gpt2-tiny-lm", "base", ModelKind.Base);
        var data = Path.Combine(h.Folder, "prefs.jsonl");
        var longPrompt = string.Join(" ", Enumerable.Repeat("word", 40));
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 8).Select(i =>
            JsonSerializer.Serialize(new { prompt = i == 2 ? longPrompt : $"Q{i}?", chosen = $"Thanks, answer {i}.", rejected = $"No {i}." })));
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<DpoRunService>().EnqueueAsync(new DpoRunRequest
        {
            Name = "dpo-file", PolicyModelId = policyId, DataFile = data, Config = Tiny,
        }, null));
        Assert.True(jobId is not null, string.Join(" ", errors));
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        var log = await h.Queue.ReadLogAsync(jobId.Value);
        Assert.Contains(log, l => l.Message == "Skipped 1 of 8 pairs: line 3: the prompt has 45 tokens, max length is 24: nothing of the responses would be left.");

        // Rating needs a project's held-out prompts: a file run has none.
        await using (var db = await h.DbAsync()) Assert.True(await db.Models.AnyAsync(m => m.Name == "dpo-file"));
        var (project, _, loopErrors) = await h.InScopeAsync(sp => sp.GetRequiredService<LoopService>().RateAgainstReferenceAsync(jobId.Value, null));
        Assert.Null(project);
        Assert.Equal([$"DPO run {jobId} trained on a file, not a project's votes: there are no held-out prompts to rate."], loopErrors);

        var (refused, problems) = await h.InScopeAsync(sp => sp.GetRequiredService<DpoRunService>().EnqueueAsync(new DpoRunRequest
        {
            Name = "", PolicyModelId = 99, ReferenceModelId = 98, ProjectId = 5, DataFile = data, Config = Tiny with { Beta = -1 },
        }, null));
        Assert.Null(refused);
        Assert.Contains(problems, e => e.StartsWith("Name the run"));
        Assert.Contains(problems, e => e.StartsWith("Choose the data"));
        Assert.Contains("--beta must be > 0 (got -1)", problems);
        Assert.Contains("Policy 99 is not in the registry.", problems);
        Assert.Contains("Reference 98 is not in the registry.", problems);
    }

    [Fact]
    public async Task A_finished_DPO_run_on_a_project_is_rated_against_its_reference_on_the_held_out_prompts()
    {
        await using var h = await JobsHarness.CreateAsync();
        var prompts = Enumerable.Range(0, 12).Select(i => $"Customer question {i}?").ToArray();
        var sourceProject = await h.ProjectWithPromptsAsync(prompts);
        // A DPO run that finished and registered its policy (the training itself is tested above and in Rlhf.Training.Tests).
        var job = await h.Queue.EnqueueAsync(DpoRunJobHandler.JobKind, new DpoRunRequest { Name = "dpo-policy", PolicyModelId = 1, ProjectId = sourceProject, HeldOutFraction = 0.5 }, null);
        var reference = await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(FixturePaths.Of("gpt2-tiny-lm"), "reference", ModelKind.Base, null, "import", null, "", null));
        await using (var db = await h.DbAsync())
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded));
        var policy = await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(FixturePaths.Of("gpt2-tiny-lm"), "dpo-policy", ModelKind.Policy, reference.Model!.Id, "run", job.Id, "", null));
        Assert.True(policy.Succeeded, policy.Error);

        var (projectId, generationJob, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<LoopService>().RateAgainstReferenceAsync(job.Id, null));
        Assert.True(projectId is not null, string.Join(" ", errors));
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        Assert.Equal(JobStatus.Succeeded, (await h.Queue.GetAsync(generationJob!.Value))!.Status);
        await using (var db = await h.DbAsync())
        {
            var expected = (await db.Prompts.Where(p => p.ProjectId == sourceProject).OrderBy(p => p.Id).ToListAsync())
                .Where(p => PromptSplit.IsHeldOut(p.Id, 0.5)).Select(p => p.Text).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, await db.Prompts.Where(p => p.ProjectId == projectId).OrderBy(p => p.Id).Select(p => p.Text).ToListAsync());
            var responders = await db.Responses.Where(r => db.Prompts.Any(p => p.Id == r.PromptId && p.ProjectId == projectId)).Select(r => r.ModelId).Distinct().ToListAsync();
            Assert.Equal(new int?[] { reference.Model.Id, policy.Model!.Id }.Order(), responders.Order());
            Assert.Equal("dpo-policy vs reference", (await db.Projects.SingleAsync(p => p.Id == projectId)).Name);
        }
    }
}
