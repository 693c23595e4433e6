using System.Text.Json.Nodes;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>
/// `rlhf bench generate`: decoding throughput of <see cref="Sampler.Generate"/> on a randomly initialised
/// GPT-2, with the KV cache at each batch size and without it (the whole sequence recomputed each step).
/// Every row draws exactly new_tokens tokens (EOS does not stop it) at temperature 1 from random prompts of
/// prompt_tokens tokens. tokens/s = batch x new_tokens / median wall time of the whole call (prefill included);
/// speedup_batchN = cached tokens/s / uncached tokens/s at batch size N.
/// </summary>
public static class GenerateBenchmark
{
    public sealed record Options
    {
        public int NLayer { get; init; } = 4;
        public int NEmbd { get; init; } = 256;
        public int NHead { get; init; } = 4;
        public int VocabSize { get; init; } = 50257;
        public int PromptTokens { get; init; } = 32;
        public int NewTokens { get; init; } = 64;
        /// <summary>Batch sizes of the cached runs.</summary>
        public IReadOnlyList<int> BatchSizes { get; init; } = [1, 16];
        /// <summary>Batch sizes of the uncached runs; each also gets a cached/uncached speed-up. Uncached batch 16 takes about 20 s a run on 2 cores.</summary>
        public IReadOnlyList<int> UncachedBatchSizes { get; init; } = [1];
        public int Warmup { get; init; } = 1;
        /// <summary>Untimed runs continue until this much time has passed (0 with Warmup 0 = none).</summary>
        public double MinWarmupSeconds { get; init; } = 2.0;
        public int Repeats { get; init; } = 5;
        /// <summary>Timed repeats of the (slow) uncached runs.</summary>
        public int UncachedRepeats { get; init; } = 3;
        public int Seed { get; init; }

        public string? Problem()
        {
            if (NLayer < 1) return $"n-layer must be at least 1 (got {NLayer})";
            if (NHead < 1) return $"n-head must be at least 1 (got {NHead})";
            if (NEmbd < 1 || NEmbd % NHead != 0) return $"n-embd ({NEmbd}) must be positive and divisible by n-head ({NHead})";
            if (VocabSize < 2) return $"vocab-size must be at least 2 (got {VocabSize})";
            if (PromptTokens < 1) return $"prompt-tokens must be at least 1 (got {PromptTokens})";
            if (NewTokens < 1) return $"new-tokens must be at least 1 (got {NewTokens})";
            if (PromptTokens + NewTokens > 4096) return "prompt-tokens + new-tokens must be at most 4096";
            if (BatchSizes.Count == 0 || BatchSizes.Any(b => b < 1)) return "batch-sizes must be positive";
            if (UncachedBatchSizes.Any(b => b < 1)) return "uncached-batch-sizes must be positive";
            if (Warmup < 0) return $"warmup must be at least 0 (got {Warmup})";
            if (Repeats < 1) return $"repeats must be at least 1 (got {Repeats})";
            if (UncachedRepeats < 1) return $"uncached-repeats must be at least 1 (got {UncachedRepeats})";
            return null;
        }
    }

    public static JsonObject Run(Options options)
    {
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        var threads = TorchThreads.EnsureConfigured();
        using var model = BenchmarkModel.Create(options.NLayer, options.NEmbd, options.NHead,
            options.PromptTokens + options.NewTokens, options.VocabSize, options.Seed);

        var runs = new JsonArray();
        double Measure(bool cached, int batch, int repeats)
        {
            var prompts = RandomPrompts(batch, options);
            var config = new GenerationConfig
            {
                MaxNewTokens = options.NewTokens, Temperature = 1.0, StopAtEos = false, UseKvCache = cached,
                EosTokenId = Gpt2Config.EndOfTextTokenId, PadTokenId = Gpt2Config.EndOfTextTokenId,
            };
            using var generator = new Generator((ulong)options.Seed);
            var seconds = BenchmarkTiming.Measure(() =>
            {
                using var result = Sampler.Generate(model, prompts, config, generator);
            }, options.Warmup, repeats, options.MinWarmupSeconds);
            var median = BenchmarkTiming.Median(seconds);
            var tokensPerSecond = batch * (double)options.NewTokens / median;
            runs.Add(new JsonObject
            {
                ["kv_cache"] = cached,
                ["batch_size"] = batch,
                ["ms_median"] = BenchmarkTiming.Round(median * 1e3),
                ["tokens_per_s"] = BenchmarkTiming.Round(tokensPerSecond),
            });
            return tokensPerSecond;
        }

        var result = new JsonObject
        {
            ["benchmark"] = "generate",
            ["threads"] = threads,
            ["n_layer"] = options.NLayer,
            ["n_embd"] = options.NEmbd,
            ["n_head"] = options.NHead,
            ["vocab_size"] = options.VocabSize,
            ["prompt_tokens"] = options.PromptTokens,
            ["new_tokens"] = options.NewTokens,
            ["warmup"] = options.Warmup,
            ["min_warmup_s"] = options.MinWarmupSeconds,
            ["repeats"] = options.Repeats,
            ["uncached_repeats"] = options.UncachedRepeats,
        };
        var cachedRates = new Dictionary<int, double>();
        foreach (var batch in options.BatchSizes.Concat(options.UncachedBatchSizes).Distinct())
        {
            cachedRates[batch] = Measure(cached: true, batch, options.Repeats);
            result[$"cached_batch{batch}_tokens_per_s"] = BenchmarkTiming.Round(cachedRates[batch]);
        }
        foreach (var batch in options.UncachedBatchSizes.Distinct())
        {
            var uncached = Measure(cached: false, batch, options.UncachedRepeats);
            result[$"uncached_batch{batch}_tokens_per_s"] = BenchmarkTiming.Round(uncached);
            result[$"speedup_batch{batch}"] = BenchmarkTiming.Round(cachedRates[batch] / uncached);
        }
        result["runs"] = runs;
        result["load_avg_1m"] = BenchmarkTiming.LoadAverage();
        return result;
    }

    private static int[][] RandomPrompts(int batch, Options options)
    {
        var random = new Random(options.Seed + batch);
        return Enumerable.Range(0, batch)
            .Select(_ => Enumerable.Range(0, options.PromptTokens).Select(_ => random.Next(options.VocabSize - 1)).ToArray())
            .ToArray();
    }
}
