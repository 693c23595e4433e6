using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using Rlhf.Demo.Corpus;
using Rlhf.Training;
using TorchSharp;

namespace Rlhf.Bench.Training;

/// <summary>
/// `rlhf bench ppo`: one PPO update's time split into generation, reference/value forward, reward scoring and the
/// update, each phase's tokens/s, and the update phase's MFU against the matmul rate measured in the same run.
/// Random-init policy and reward model (same shape), demo prompts, the trainer's own phase timers.
/// </summary>
public static class PpoBenchmark
{
    public sealed record Options
    {
        public int NLayer { get; init; } = 4;
        public int NEmbd { get; init; } = 256;
        public int NHead { get; init; } = 4;
        public int VocabSize { get; init; } = 50257;
        public int BatchSize { get; init; } = 16;
        public int MiniBatches { get; init; } = 2;
        public int PpoEpochs { get; init; } = 4;
        public int ResponseLength { get; init; } = 32;
        public int Warmup { get; init; } = 1;
        public int Repeats { get; init; } = 3;
        public IReadOnlyList<int> MatmulSizes { get; init; } = [1024, 2048];
        public int? Threads { get; init; }
        public int Seed { get; init; }
    }

    public static JsonObject Run(Options o)
    {
        TorchThreads.EnsureConfigured();
        var previous = torch.get_num_threads();
        var threads = o.Threads ?? Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var folder = Path.Combine(Path.GetTempPath(), $"rlhf-bench-ppo-{Guid.NewGuid():N}");
        try
        {
            var matmul = MatmulBenchmark.Run(o.MatmulSizes);
            var policyDir = Path.Combine(folder, "policy");
            var rewardDir = Path.Combine(folder, "reward");
            using (var policy = BenchmarkModel.Create(o.NLayer, o.NEmbd, o.NHead, 256, o.VocabSize, o.Seed))
                Gpt2Checkpoint.Save(policy, policyDir);
            using (var generator = new torch.Generator((ulong)o.Seed + 1))
            using (var reward = Gpt2Checkpoint.LoadRewardModel(policyDir, initScoreIfMissing: true, generator))
                Gpt2Checkpoint.Save(reward, rewardDir);

            var steps = new List<IReadOnlyDictionary<string, double>>();
            var config = new PpoConfig
            {
                Steps = o.Warmup + o.Repeats, BatchSize = o.BatchSize, MiniBatches = o.MiniBatches, PpoEpochs = o.PpoEpochs,
                ResponseLength = o.ResponseLength, SampleEvery = int.MaxValue, CheckpointEvery = int.MaxValue, Seed = o.Seed,
            };
            var phases = new PpoPhaseTimes();
            new PpoTrainer(config) { PhaseTimes = phases }.Train(policyDir, rewardDir, DemoCorpus.Prompts(o.Seed, 4 * o.BatchSize), Path.Combine(folder, "out"), null,
                m => steps.Add(m.Values), null, CancellationToken.None);
            var timed = steps.Skip(o.Warmup).ToList();
            double Median(string key) => BenchmarkTiming.Median(timed.Select(s => s[key]).ToList());

            var (generation, forward, scoring, update) = (Median("time/generation"), Median("time/forward"), Median("time/scoring"), Median("time/update"));
            var queryResponseTokens = Median("tokens/query_response");
            var responseTokens = Median("tokens/response");
            // Update phase FLOPs: PpoEpochs passes over the batch, forward + backward of the policy (its LM head included)
            // and of the value model (no LM head): 6 N per token each, plus nanoGPT's 12 n_layer n_embd T attention term.
            var sequenceLength = queryResponseTokens / o.BatchSize;
            var policyParameters = BenchmarkModel.NonEmbeddingParameters(o.NLayer, o.NEmbd, o.VocabSize);
            var valueParameters = RewardBenchmark.CountedParameters(o.NLayer, o.NEmbd);
            var attention = 12.0 * o.NLayer * o.NEmbd * sequenceLength;
            var updateFlops = o.PpoEpochs * queryResponseTokens * (6.0 * policyParameters + attention + 6.0 * valueParameters + attention);
            var achieved = updateFlops / update / 1e9;
            // The same with the LM head counted where it runs: on the response_length response positions only (PpoForward).
            var headOnResponses = o.PpoEpochs * (queryResponseTokens * (6.0 * BenchmarkModel.BlockParameters(o.NLayer, o.NEmbd) + attention + 6.0 * valueParameters + attention)
                                                 + (double)o.BatchSize * o.ResponseLength * 6.0 * o.VocabSize * o.NEmbd);
            var achievedHeadOnResponses = headOnResponses / update / 1e9;
            var total = generation + forward + scoring + update;
            return new JsonObject
            {
                ["benchmark"] = "ppo",
                ["threads"] = threads,
                ["matmul_gflops"] = BenchmarkTiming.Round(matmul.BestGflops),
                ["n_layer"] = o.NLayer, ["n_embd"] = o.NEmbd, ["n_head"] = o.NHead, ["vocab_size"] = o.VocabSize,
                ["batch_size"] = o.BatchSize, ["mini_batches"] = o.MiniBatches, ["ppo_epochs"] = o.PpoEpochs, ["response_length"] = o.ResponseLength,
                ["repeats"] = o.Repeats,
                ["step_s_median"] = BenchmarkTiming.Round(total),
                ["generation_s"] = BenchmarkTiming.Round(generation),
                ["reference_value_forward_s"] = BenchmarkTiming.Round(forward),
                ["scoring_s"] = BenchmarkTiming.Round(scoring),
                ["update_s"] = BenchmarkTiming.Round(update),
                ["generation_tokens_per_s"] = BenchmarkTiming.Round(responseTokens / generation),
                ["reference_value_forward_tokens_per_s"] = BenchmarkTiming.Round(queryResponseTokens / forward),
                ["scoring_tokens_per_s"] = BenchmarkTiming.Round(queryResponseTokens / scoring),
                ["update_tokens_per_s"] = BenchmarkTiming.Round(o.PpoEpochs * queryResponseTokens / update),
                ["update_flops_formula"] = "ppo_epochs * query_response_tokens * (6*N_policy + 6*N_value + 2 * 12*n_layer*n_embd*T); N_policy counts the tied LM head, N_value = blocks + ln_f + score",
                ["update_achieved_gflops"] = BenchmarkTiming.Round(achieved),
                ["update_mfu"] = BenchmarkTiming.Round(achieved / matmul.BestGflops),
                ["update_mfu_head_on_responses"] = BenchmarkTiming.Round(achievedHeadOnResponses / matmul.BestGflops),
                ["update_phases_s"] = PhasesPerUpdate(phases, o.Warmup + o.Repeats),
                ["load_avg_1m"] = BenchmarkTiming.LoadAverage() is { } load ? BenchmarkTiming.Round(load) : null,
                ["native_heap_kept"] = NativeHeap.KeepingFreedMemory,
            };
        }
        finally
        {
            torch.set_num_threads(previous);
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Each phase's mean seconds per update (warm-up included), in the order the phases run.</summary>
    internal static JsonObject PhasesPerUpdate(PpoPhaseTimes phases, int updates)
    {
        var result = new JsonObject();
        foreach (var (phase, seconds) in phases.Seconds) result[phase] = BenchmarkTiming.Round(seconds / updates);
        return result;
    }
}
