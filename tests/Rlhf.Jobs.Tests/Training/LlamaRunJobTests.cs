using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>
/// A reward run and then a PPO run on a llama-tiny-shaped model with Llama 3's tokenizer and chat template, through the
/// services the site's forms call (RewardRunService, PpoRunService) and the real job runner.
/// </summary>
public class LlamaRunJobTests
{
    [Fact]
    public async Task A_reward_run_and_a_PPO_run_on_a_Llama_model_register_models_that_load_again_with_the_tokenizer()
    {
        await using var h = await JobsHarness.CreateAsync();
        var dataFolder = h.Services.GetRequiredService<RlhfPaths>().DataFolder;
        string FolderOf(Rlhf.Core.Registry.Model m) => Path.Combine(dataFolder, m.Folder);
        var source = TinyChatModels.Llama(Path.Combine(h.Folder, "llama"), seed: 2);
        var imported = await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(source, "llama-tiny", ModelKind.Base, null, "import", null, "", null));
        Assert.True(imported.Succeeded, imported.Error);
        var baseId = imported.Model!.Id;
        var data = Path.Combine(h.Folder, "prefs.jsonl");
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 16).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Q{i % 5}?", chosen = $"Thanks, answer {i}.", rejected = $"No {i}." })));

        var (rewardJob, errors) = await h.InScopeAsync(sp => sp.GetRequiredService<RewardRunService>().EnqueueAsync(new RewardRunRequest
        {
            Name = "llama-rm", BaseModelId = baseId, DataFile = data,
            Config = new RewardTrainingConfig { Epochs = 1, BatchPairs = 4, MaxLength = 32, EvalEvery = 2, LearningRate = 1e-3, ValidationFraction = 0.2 },
        }, null));
        Assert.True(rewardJob is not null, string.Join(" ", errors));
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var job = (await h.Queue.GetAsync(rewardJob!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);

        Rlhf.Core.Registry.Model reward;
        await using (var db = await h.DbAsync())
            reward = await db.Models.AsNoTracking().SingleAsync(m => m.Name == "llama-rm");
        Assert.Equal((ModelKind.Reward, "llama", (int?)baseId), (reward.Kind, reward.ModelType, reward.ParentId));
        var rewardFolder = FolderOf(reward);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(rewardFolder, "config.json")))!;
        Assert.Equal("LlamaForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "tokenizer.json")), File.ReadAllBytes(Path.Combine(rewardFolder, "tokenizer.json")));
        // The registered reward model scores the reward run's text: Llama 3's template, the response after the cue.
        var tokenizer = ModelTokenizer.Load(rewardFolder);
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ1?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nThanks",
            ChatPrompts.RenderWithResponse(tokenizer, "Q1?", "Thanks"));
        using (var rm = ModelLoader.LoadRewardModel(rewardFolder))
        {
            var scores = RewardTrainer.Score(rm, tokenizer, [("Q1?", "Thanks, answer 1."), ("Q1?", "No 1.")], maxLength: 32);
            Assert.All(scores, s => Assert.True(double.IsFinite(s)));
            Assert.NotEqual(scores[0], scores[1]);
        }

        var project = await h.ProjectWithPromptsAsync(Enumerable.Range(0, 6).Select(i => $"Question {i}?").ToArray());
        var (ppoJob, ppoErrors) = await h.InScopeAsync(sp => sp.GetRequiredService<PpoRunService>().EnqueueAsync(new PpoRunRequest
        {
            Name = "llama-ppo", PolicyModelId = baseId, RewardModelId = reward.Id, ProjectId = project, HeldOutFraction = 0,
            Config = new PpoConfig
            {
                Steps = 2, BatchSize = 2, MiniBatches = 1, PpoEpochs = 1, ResponseLength = 6, SampleEvery = 1, LearningRate = 1e-4,
                RewardNormalization = PpoConfig.NoNormalization,
            },
        }, null));
        Assert.True(ppoJob is not null, string.Join(" ", ppoErrors));
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        job = (await h.Queue.GetAsync(ppoJob!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);

        await using (var db = await h.DbAsync())
        {
            var policy = await db.Models.AsNoTracking().SingleAsync(m => m.Name == "llama-ppo");
            Assert.Equal((ModelKind.Policy, "llama", (int?)baseId), (policy.Kind, policy.ModelType, policy.ParentId));
            using var lm = ModelLoader.LoadLanguageModel(FolderOf(policy));
            Assert.Equal(128256, lm.VocabSize);
            var scores = await db.JobMetrics.Where(m => m.JobId == ppoJob && m.Name == "objective/scores").Select(m => m.Value).ToListAsync();
            Assert.Equal(2, scores.Count);
            Assert.All(scores, s => Assert.True(double.IsFinite(s)));
        }
        var samples = await h.InScopeAsync(sp => sp.GetRequiredService<PpoRunService>().ReadSamplesAsync(ppoJob.Value));
        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.DoesNotContain("<|eot_id|>", s.Response));
    }
}
