using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Runs;
using Rlhf.Jobs.Training;
using Rlhf.Training.Lora;
using Rlhf.Training.Sft;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>An SFT run through the job runner: TRL's metric names, samples, the adapter kept and the merged model registered with its lineage.</summary>
public class SftRunJobTests
{
    [Fact]
    public async Task A_lora_sft_run_on_a_TRL_file_registers_the_merged_policy_with_its_lineage()
    {
        await using var h = await JobsHarness.CreateAsync();
        var baseId = await h.ImportFixtureAsync("gpt2-tiny-lm", "base", ModelKind.Base);
        var data = Path.Combine(h.Folder, "sft.jsonl");
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 12).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Q{i}?", completion = $"Answer {i}." })));
        var (jobId, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<SftRunService>().EnqueueAsync(new SftRunRequest
        {
            Name = "sft-lora", BaseModelId = baseId, DataFile = data,
            Config = new SftConfig
            {
                Epochs = 1, BatchSize = 4, MaxLength = 32, EvalEvery = 1, SampleEvery = 2, SamplePrompts = 1, SampleMaxNewTokens = 4, LearningRate = 1e-2,
                ValidationFraction = 0.25, Lora = new LoraConfig { Rank = 2, TargetModules = ["c_attn"] },
            },
        }, null));
        Assert.True(jobId is not null, string.Join(" ", errors));

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        await using var db = await h.DbAsync();
        var model = await db.Models.SingleAsync(m => m.Name == "sft-lora");
        Assert.Equal((ModelKind.Policy, (int?)baseId, (long?)jobId), (model.Kind, model.ParentId, model.ProducedByJobId));
        var names = await db.JobMetrics.Where(m => m.JobId == jobId).Select(m => m.Name).Distinct().ToListAsync();
        foreach (var name in new[] { "loss", "eval_loss", "mean_token_accuracy", "num_tokens", "learning_rate", "grad_norm" }) Assert.Contains(name, names);
        var run = (await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(jobId.Value)))!;
        Assert.Equal((RunKind.Sft, "sft-lora", JobStatus.Succeeded), (run.Kind, run.Name, run.Status));
        Assert.Equal(["loss", "eval_loss"], run.KeyMetrics.Keys);
        var artifacts = await h.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<RunCatalog>().ArtifactsOf(jobId.Value)));
        Assert.True(LoraFiles.IsAdapter(Path.Combine(artifacts.Folder, "adapter")));
        Assert.NotEmpty(await artifacts.ReadSamplesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Bad_sft_data_fails_the_run_naming_each_line()
    {
        await using var h = await JobsHarness.CreateAsync();
        var baseId = await h.ImportFixtureAsync("gpt2-tiny-lm", "base", ModelKind.Base);
        var data = Path.Combine(h.Folder, "bad.jsonl");
        await File.WriteAllLinesAsync(data, ["""{"prompt": "Hi", "completion": "Hello"}""", """{"prompt": "Hi", "completion": ""}"""]);
        var (jobId, _) = await h.InScopeAsync(sp => sp.GetRequiredService<SftRunService>().EnqueueAsync(new SftRunRequest
        {
            Name = "sft-bad", BaseModelId = baseId, DataFile = data,
        }, null));
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("The SFT data is not valid: line 2: field 'completion' is empty", job.Error);
    }
}
