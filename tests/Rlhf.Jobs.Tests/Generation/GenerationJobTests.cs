using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Generation;
using Rlhf.Jobs.Registry;

namespace Rlhf.Jobs.Tests.Generation;

public class GenerationJobTests
{
    private static async Task<int> ImportTinyAsync(JobsHarness h, string name) =>
        (await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>()
            .ImportAsync(FixturePaths.Of("gpt2-tiny-lm"), name, ModelKind.Base, null, "import", null, "", null))).Model!.Id;

    [Fact]
    public async Task One_model_n_responses_per_prompt_all_pairs_of_distinct_texts()
    {
        await using var h = await JobsHarness.CreateAsync();
        var model = await ImportTinyAsync(h, "tiny");
        var project = await h.ProjectWithPromptsAsync("My order is late.", "The kettle arrived broken.", "How do I reset my password?");
        var job = await h.Queue.EnqueueAsync(GenerationJobHandler.JobKind,
            new GenerationRequest { ProjectId = project, ModelIds = [model], ResponsesPerPrompt = 3, MaxNewTokens = 12, Temperature = 1.0, Seed = 7 }, null);

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));

        var done = (await h.Queue.GetAsync(job.Id))!;
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        Assert.Equal(1.0, done.Progress);
        await using var db = await h.DbAsync();
        var responses = await db.Responses.ToListAsync();
        Assert.Equal(9, responses.Count);
        Assert.All(responses, r => Assert.Equal("model:tiny", r.Source));
        Assert.All(responses, r => Assert.Equal(model, r.ModelId));
        // A random tiny GPT-2 almost never samples its end token (1 in 50,257 a step): every reply ran into the 12-token limit.
        Assert.All(responses, r => Assert.True(r.CutOff, $"'{r.Text}' is not marked as cut off"));
        var comparisons = await db.Comparisons.ToListAsync();
        var expected = responses.GroupBy(r => r.PromptId).Sum(g => { var n = g.Select(r => r.Text.Trim()).Distinct().Count(); return n * (n - 1) / 2; });
        Assert.Equal(expected, comparisons.Count);
        Assert.True(comparisons.Count > 0);
        var byId = responses.ToDictionary(r => r.Id);
        Assert.All(comparisons, c =>
        {
            Assert.Equal(byId[c.ResponseAId].PromptId, c.PromptId);
            Assert.Equal(byId[c.ResponseBId].PromptId, c.PromptId);
            Assert.NotEqual(byId[c.ResponseAId].Text, byId[c.ResponseBId].Text);
        });
    }

    [Fact]
    public async Task Two_models_are_paired_against_each_other_and_a_rerun_adds_nothing()
    {
        await using var h = await JobsHarness.CreateAsync();
        var a = await ImportTinyAsync(h, "tiny-a");
        var b = await ImportTinyAsync(h, "tiny-b");
        var project = await h.ProjectWithPromptsAsync("Where is my refund?", "Cancel my subscription please.");
        var request = new GenerationRequest { ProjectId = project, ModelIds = [a, b], ResponsesPerPrompt = 2, MaxNewTokens = 10, Seed = 3 };

        await h.Queue.EnqueueAsync(GenerationJobHandler.JobKind, request, null);
        await h.Runner.RunNextAsync(CancellationToken.None);
        await using var db = await h.DbAsync();
        var responses = await db.Responses.AsNoTracking().ToDictionaryAsync(r => r.Id);
        var comparisons = await db.Comparisons.AsNoTracking().ToListAsync();
        Assert.Equal(8, responses.Count);
        Assert.NotEmpty(comparisons);
        Assert.All(comparisons, c => Assert.Equal((a, b), (responses[c.ResponseAId].ModelId!.Value, responses[c.ResponseBId].ModelId!.Value)));

        // Same request again (as a resume would): every prompt already has its responses, no pair is duplicated.
        await h.Queue.EnqueueAsync(GenerationJobHandler.JobKind, request, null);
        await h.Runner.RunNextAsync(CancellationToken.None);
        Assert.Equal(8, await db.Responses.CountAsync());
        Assert.Equal(comparisons.Count, await db.Comparisons.CountAsync());
    }

    /// <summary>
    /// The same greedy request in float32 and in bf16 on two projects: both store a non-empty reply for every row, and
    /// each job's log gives the dtype read back from the model it sampled with. (Which greedy replies agree is not asserted:
    /// a random tiny model's logits are so close that bf16's rounding may flip any argmax.)
    /// </summary>
    [Fact]
    public async Task A_bf16_generation_job_samples_with_bf16_matmuls()
    {
        await using var h = await JobsHarness.CreateAsync();
        var model = await ImportTinyAsync(h, "tiny");
        var prompts = new[] { "My order is late.", "The kettle arrived broken.", "How do I reset my password?", "Can I change my address?" };
        var float32Project = await h.ProjectWithPromptsAsync(prompts);
        var bf16Project = await h.ProjectWithPromptsAsync(prompts);
        foreach (var (project, dtype) in new[] { (float32Project, "float32"), (bf16Project, "bf16") })
        {
            var job = await h.Queue.EnqueueAsync(GenerationJobHandler.JobKind, new GenerationRequest
            {
                ProjectId = project, ModelIds = [model], ResponsesPerPrompt = 2, MaxNewTokens = 8, Temperature = 0, Seed = 5, ComputeDtype = dtype,
            }, null);
            Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
            var done = (await h.Queue.GetAsync(job.Id))!;
            Assert.True(done.Status == JobStatus.Succeeded, done.Error);
            var log = string.Join("\n", (await h.Queue.ReadLogAsync(job.Id)).Select(l => l.Message));
            Assert.Contains($"tiny: matmuls in {dtype}.", log); // read back from the loaded model
            await using var db = await h.DbAsync();
            var texts = await db.Responses.Where(r => db.Prompts.Any(p => p.Id == r.PromptId && p.ProjectId == project))
                .OrderBy(r => r.PromptId).ThenBy(r => r.Id).Select(r => r.Text).ToListAsync();
            Assert.Equal(8, texts.Count);
            Assert.All(texts, t => Assert.False(string.IsNullOrWhiteSpace(t)));
        }
    }

    [Fact]
    public async Task Bad_requests_fail_with_a_clear_reason()
    {
        await using var h = await JobsHarness.CreateAsync();
        var empty = await h.ProjectWithPromptsAsync();
        var model = await ImportTinyAsync(h, "tiny");
        var cases = new (GenerationRequest Request, string Reason)[]
        {
            (new GenerationRequest { ProjectId = empty, ModelIds = [model] }, "has no prompts"),
            (new GenerationRequest { ProjectId = 999, ModelIds = [model] }, "Project 999 does not exist"),
            (new GenerationRequest { ProjectId = empty, ModelIds = [] }, "Choose one or two models"),
            (new GenerationRequest { ProjectId = empty, ModelIds = [model], ResponsesPerPrompt = 1 }, "at least 2 responses"),
            (new GenerationRequest { ProjectId = empty, ModelIds = [model], ComputeDtype = "fp8" }, "Compute dtype must be float32 or bf16 (got \"fp8\")"),
        };
        foreach (var (request, reason) in cases)
        {
            var job = await h.Queue.EnqueueAsync(GenerationJobHandler.JobKind, request, null);
            await h.Runner.RunNextAsync(CancellationToken.None);
            var failed = (await h.Queue.GetAsync(job.Id))!;
            Assert.Equal(JobStatus.Failed, failed.Status);
            Assert.Contains(reason, failed.Error);
        }
    }
}
