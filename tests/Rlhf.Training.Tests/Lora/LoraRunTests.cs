using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Dpo;
using Rlhf.Training.Grpo;
using Rlhf.Training.Lora;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;
using Rlhf.Training.Tests.Reward;
using Rlhf.Training.Tests.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Lora;

/// <summary>
/// LoRA runs of every kind on the tiny GPT-2 fixtures: only the adapter trains (the output holds adapter weights only
/// and loads on the base), the reference is the base with the adapter off, and a reward adapter carries its score head.
/// </summary>
public class LoraRunTests
{
    public LoraRunTests() => TorchThreads.EnsureConfigured();

    private static readonly LoraConfig Lora = new() { Rank = 4, Alpha = 8, TargetModules = ["c_attn", "c_fc"] };

    [Fact]
    public void Reward_run_trains_the_adapter_and_score_head_and_the_merged_model_scores_as_base_plus_adapter()
    {
        using var folder = new TempFolder();
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 1, seed: 3);
        var config = new RewardTrainingConfig
        {
            Epochs = 1, LearningRate = 5e-3, BatchPairs = 8, MaxLength = 48, ValidationFraction = 0.3, EvalEvery = 1000, Seed = 5,
            Lora = Lora with { TrainScoreHead = true },
        };
        var result = new RewardTrainer(config).Train(FixturePaths.Lm, pairs, folder.Sub("adapter"), null, _ => { }, CancellationToken.None);
        Assert.Equal(0.0, result.RewardShift);                                     // a LoRA reward model is not shifted

        // PEFT's layout: adapter weights and the score head (modules_to_save), no base weights.
        var adapterFolder = folder.Sub("adapter");
        Assert.False(File.Exists(Path.Combine(adapterFolder, "model.safetensors")));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(adapterFolder, LoraFiles.ConfigFileName)))!;
        Assert.Equal("SEQ_CLS", json["task_type"]!.GetValue<string>());
        Assert.Equal(["score"], json["modules_to_save"]!.AsArray().Select(n => n!.GetValue<string>()));
        var keys = SafeTensorsFile.Read(Path.Combine(adapterFolder, LoraFiles.WeightsFileName)).Tensors.Keys.ToList();
        Assert.Contains("base_model.model.score.weight", keys);
        Assert.All(keys.Where(k => k != "base_model.model.score.weight"), k => Assert.Matches(@"^base_model\.model\.transformer\.h\.\d\.(attn\.c_attn|mlp\.c_fc)\.lora_[AB]\.weight$", k));
        Assert.Equal(2 * 2 * 2 + 1, keys.Count);

        // The score head trained: it is not the head a fresh run starts from.
        using (var init = ModelLoader.LoadRewardModel(FixturePaths.Lm, initScoreIfMissing: true, new Generator(5)))
        using (var trainedHead = tensor(SafeTensorsFile.Read(Path.Combine(adapterFolder, LoraFiles.WeightsFileName)).Tensors["base_model.model.score.weight"].Data))
            Assert.True(MaxDifference(init.Module.named_parameters().Single(p => p.name == "score.weight").parameter.flatten(), trainedHead) > 1e-4);

        // What the run registers (the merged weights) scores the validation pairs as base + adapter at run time, and as the trainer did.
        LoraMerge.Merge(FixturePaths.Lm, adapterFolder, folder.Sub("merged"));
        var items = result.ValidationPairs > 0 ? result.Validation.SelectMany(p => new[] { (pairs[p.PairIndex].Prompt, pairs[p.PairIndex].Chosen), (pairs[p.PairIndex].Prompt, pairs[p.PairIndex].Rejected) }).ToList() : [];
        Assert.NotEmpty(items);
        var tokenizer = ModelTokenizers.LoadRenderable(FixturePaths.Lm);
        double[] runtime, merged;
        using (var model = ModelLoader.LoadRewardModel(FixturePaths.Lm, initScoreIfMissing: true))
        using (LoraAdapter.Load(model.Module, model.ModelType, adapterFolder))
            runtime = RewardTrainer.Score(model, tokenizer, items, 48);
        using (var model = ModelLoader.LoadRewardModel(folder.Sub("merged")))
            merged = RewardTrainer.Score(model, tokenizer, items, 48);
        var trainer = result.Validation.SelectMany(p => new[] { p.ChosenReward, p.RejectedReward }).ToArray();
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(trainer[i], runtime[i], 1e-5);
            Assert.Equal(runtime[i], merged[i], 1e-5);
        }
    }

    [Fact]
    public void Reference_with_the_adapter_off_gives_the_log_probs_of_a_separately_loaded_base()
    {
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 1, seed: 4).Take(6).ToList();
        var config = new DpoConfig { MaxLength = 48, BatchPairs = 4 };
        var tokenizer = Rlhf.Training.Text.ModelTokenizer.Load(FixturePaths.Lm);
        var (examples, _) = DpoEncoding.Encode(tokenizer, pairs, config, 48);
        var all = Enumerable.Range(0, examples.Count).ToArray();
        using var baseModel = ModelLoader.LoadLanguageModel(FixturePaths.Lm);
        var expected = DpoTrainer.Score(baseModel, examples, all, 48, config);

        using var policy = ModelLoader.LoadLanguageModel(FixturePaths.Lm);
        using var trained = TrainedWeights.Attach(policy, Lora, null, new Generator(2));
        foreach (var (name, p) in trained.Parameters.Where(p => p.Name.EndsWith("lora_B.weight")))
            using (no_grad()) p.normal_(0, 0.5);                                     // the adapter now changes the model
        var adapted = DpoTrainer.Score(policy, examples, all, 48, config);
        DpoTrainer.LogProbs reference;
        using (trained.AsReference()) reference = DpoTrainer.Score(policy, examples, all, 48, config);

        Assert.True(MaxListDifference(adapted.Chosen, expected.Chosen) > 1e-3, "the adapter changes the log-probs");
        Assert.Equal(expected.Chosen, reference.Chosen);
        Assert.Equal(expected.Rejected, reference.Rejected);
        Assert.True(trained.Adapter!.Enabled, "the adapter is on again after the reference pass");
    }

    [Fact]
    public void Dpo_run_starts_at_the_reference_and_writes_an_adapter_that_loads_on_the_base()
    {
        using var folder = new TempFolder();
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 1, seed: 3);
        var config = new DpoConfig { Epochs = 1, LearningRate = 5e-3, BatchPairs = 8, MaxLength = 48, ValidationFraction = 0, Seed = 5, Lora = Lora };
        var metrics = new List<DpoMetrics>();
        new DpoTrainer(config).Train(FixturePaths.Lm, null, pairs, folder.Sub("out"), null, metrics.Add, CancellationToken.None);

        // Step 1: the policy (B = 0) is its reference, so the loss is log 2.
        Assert.Equal(Math.Log(2), metrics[0].Values["train/loss"], 4);
        Assert.True(metrics.Count >= 2);
        AssertAdapterOnly(folder.Sub("out"), scoreHead: false);
    }

    [Fact]
    public void Ppo_and_grpo_runs_measure_kl_against_the_base_and_train_only_adapters()
    {
        using var folder = new TempFolder();
        var ppo = new PpoConfig
        {
            Steps = 2, BatchSize = 4, MiniBatches = 1, PpoEpochs = 1, LearningRate = 1e-2, ResponseLength = 6, MaxPromptLength = 24, Seed = 3,
            CheckpointEvery = 1, RewardNormalization = PpoConfig.NoNormalization, Lora = Lora,
        };
        var ppoMetrics = new List<PpoMetrics>();
        new PpoTrainer(ppo).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub("ppo"), folder.Sub("ppo-checkpoint"),
            ppoMetrics.Add, null, CancellationToken.None, new PpoTestScorers.ConstantScorer(0.5f));
        Assert.True(Math.Abs(ppoMetrics[0].Values["objective/kl"]) < 1e-5, $"update 1: kl {ppoMetrics[0].Values["objective/kl"]}");   // ref = base, B = 0
        Assert.True(Math.Abs(ppoMetrics[1].Values["objective/kl"]) > 1e-6, "update 2: the adapter moved the policy off its base");
        AssertAdapterOnly(folder.Sub("ppo"), scoreHead: false);
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Sub("ppo-checkpoint"), "trainer_state.json")))!;
        AssertAdapterOnly(Path.Combine(folder.Sub("ppo-checkpoint"), state["value"]!.GetValue<string>()), scoreHead: true);

        var grpo = new GrpoConfig
        {
            Steps = 2, BatchSize = 2, NumGenerations = 4, NumIterations = 1, MiniBatches = 1, LearningRate = 1e-2, MaxCompletionLength = 6,
            MaxPromptLength = 24, Seed = 3, Beta = 0.04, Lora = Lora,
        };
        var grpoMetrics = new List<GrpoMetrics>();
        new GrpoTrainer(grpo).Train(FixturePaths.Lm, null, PpoTestScorers.Prompts, folder.Sub("grpo"), null, grpoMetrics.Add, null,
            CancellationToken.None, new OddTokenShareScorer());
        Assert.True(Math.Abs(grpoMetrics[0].Values["kl"]) < 1e-6, $"update 1: kl {grpoMetrics[0].Values["kl"]}");
        Assert.True(grpoMetrics[0].Values["frac_reward_zero_std"] < 1, "some group's rewards differ");
        AssertAdapterOnly(folder.Sub("grpo"), scoreHead: false);
    }

    /// <summary>The folder holds a PEFT adapter (no base weights) that loads on the fixture base and changes its output.</summary>
    private static void AssertAdapterOnly(string adapterFolder, bool scoreHead)
    {
        Assert.True(LoraFiles.IsAdapter(adapterFolder));
        Assert.False(File.Exists(Path.Combine(adapterFolder, "model.safetensors")));
        var tensors = SafeTensorsFile.Read(Path.Combine(adapterFolder, LoraFiles.WeightsFileName)).Tensors;
        Assert.Equal(scoreHead, tensors.ContainsKey("base_model.model.score.weight"));
        Assert.Equal(8 + (scoreHead ? 1 : 0), tensors.Count);
        Assert.Contains(tensors, t => t.Key.EndsWith("lora_B.weight") && t.Value.Data.Any(x => x != 0));   // B left zero: nothing trained
        if (scoreHead) return;
        using var model = ModelLoader.LoadLanguageModel(FixturePaths.Lm);
        using var adapter = LoraAdapter.Load(model.Module, model.ModelType, adapterFolder);
        Assert.Equal(4, adapter.ModuleNames.Count);
    }

    /// <summary>Score = the share of valid response tokens with an odd id: differs between a group's completions, so GRPO's advantages are not 0.</summary>
    private sealed class OddTokenShareScorer : IScorer
    {
        public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength)
        {
            using var scope = NewDisposeScope();
            var n = queryResponseIds.shape[1] - contextLength;
            var odd = queryResponseIds.narrow(1, contextLength, n).remainder(2).to_type(ScalarType.Float32);   // [B, N]
            var valid = mask.narrow(1, contextLength, n).to_type(ScalarType.Float32);                       // [B, N]
            return scope.MoveToOuter((odd * valid).sum(1) / valid.sum(1).clamp_min(1));                     // [B]
        }
    }

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    private static double MaxListDifference(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
