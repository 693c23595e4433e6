using System.Text.Json.Nodes;
using Rlhf.Training;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;
using Rlhf.Training.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>
/// `rlhf bench forward|generate|reward|ppo --arch llama`: the same measurements as the GPT-2 benchmarks on a randomly
/// initialised Llama-family model (<see cref="LlamaBenchmarkModel"/>), once per compute dtype (float32, bf16; see
/// <see cref="ComputePrecision"/>) in the same run, each against the matmul rate of its own dtype measured just before
/// it, so the JSON carries bf16 / float32 ratios measured under the same machine load.
/// <list type="bullet">
/// <item>forward: prefill tokens/s (logits at every position, inference mode); FLOPs/token = 2 (layers + LM head) + attention.</item>
/// <item>generate: cached decoding tokens/s per batch size (<see cref="Sampler.Generate"/>, EOS ignored).</item>
/// <item>reward: a reward-model training step (chosen + rejected rows in one forward, the score head at the last token,
/// Bradley-Terry loss, backward, clipping + AdamW on float32 master weights); FLOPs/token = 6 (layers + score) + 3 x attention.</item>
/// <item>sft: a supervised fine-tuning step (next-token cross-entropy on every position, backward, AdamW).</item>
/// <item>sft, reward, ppo with <see cref="Options.Methods"/> full and lora: the step timed for full fine-tuning and for a LoRA
/// adapter (<see cref="TrainedWeights"/>) in the same run, with their ratio; peak_rss_mb is the process's VmHWM.</item>
/// <item>ppo: PPO's update phase (<see cref="PpoMinibatchUpdate"/>, the trainer's own step: policy and value model,
/// one AdamW) on a synthetic rollout of random query + response tokens; FLOPs = per row of P + N tokens 6 x layers x (P + N)
/// for each model, 6 x LM head x N for the policy (the head runs only on the response positions), 3 x attention each.</item>
/// </list>
/// </summary>
public static class LlamaBenchmark
{
    public const string Full = "full";
    public const string Lora = "lora";

    public sealed record Options
    {
        public string Preset { get; init; } = "smollm2-135m";
        /// <summary>Fewer decoder layers than the preset (tests), or null.</summary>
        public int? Layers { get; init; }
        /// <summary>A smaller vocabulary than the preset (tests), or null.</summary>
        public int? VocabSize { get; init; }
        public IReadOnlyList<ScalarType> Dtypes { get; init; } = [ScalarType.Float32, ScalarType.BFloat16];
        /// <summary>Tokens per row (forward, reward); the prompt length P for ppo.</summary>
        public int SeqLen { get; init; } = 128;
        /// <summary>Rows (forward), pairs per step (reward), rollouts per update (ppo).</summary>
        public int BatchSize { get; init; } = 4;
        public IReadOnlyList<int> GenerateBatchSizes { get; init; } = [1, 8];
        /// <summary>New tokens (generate) and response tokens N (ppo).</summary>
        public int NewTokens { get; init; } = 32;
        /// <summary>Minibatches per PPO update (ppo only).</summary>
        public int MiniBatches { get; init; } = 1;
        public int Warmup { get; init; } = 1;
        public int Repeats { get; init; } = 3;
        public IReadOnlyList<int> MatmulSizes { get; init; } = [1024, 2048];
        public int MatmulRepeats { get; init; } = 3;
        public int Seed { get; init; }
        /// <summary>What the training benchmarks (sft, reward, ppo) train, each measured in the same run: "full" (every
        /// weight) and/or "lora" (an adapter of rank <see cref="LoraRank"/> on every linear layer, alpha 2r).</summary>
        public IReadOnlyList<string> Methods { get; init; } = [Full];
        public int? LoraRank { get; init; }

        /// <summary>Null when usable, else a one-line reason naming the option.</summary>
        public string? Problem()
        {
            if (!LlamaBenchmarkModel.Presets.ContainsKey(Preset)) return $"preset \"{Preset}\" is unknown, expected one of: {string.Join(", ", LlamaBenchmarkModel.Presets.Keys)}";
            if (Layers is < 1) return $"layers must be at least 1 (got {Layers})";
            if (VocabSize is < 2) return $"vocab-size must be at least 2 (got {VocabSize})";
            if (Dtypes.Count == 0) return "dtype: give float32, bf16 or both";
            if (SeqLen is < 1 or > 4096) return $"seq-len must be between 1 and 4096 (got {SeqLen})";
            if (BatchSize < 1) return $"batch-size must be at least 1 (got {BatchSize})";
            if (GenerateBatchSizes.Count == 0 || GenerateBatchSizes.Any(b => b < 1)) return "batch-sizes must be positive";
            if (NewTokens < 1) return $"new-tokens must be at least 1 (got {NewTokens})";
            if (MiniBatches < 1 || BatchSize % MiniBatches != 0) return $"batch-size ({BatchSize}) must be a multiple of minibatches ({MiniBatches})";
            if (Warmup < 0) return $"warmup must be at least 0 (got {Warmup})";
            if (Repeats < 1) return $"repeats must be at least 1 (got {Repeats})";
            if (Methods.Count == 0 || Methods.Any(m => m is not (Full or Lora))) return $"method must be {Full}, {Lora} or both (got {string.Join(",", Methods)})";
            if (LoraRank is < 1) return $"lora-r must be at least 1 (got {LoraRank})";
            if (Methods.Contains(Lora) && LoraRank is null) return "method lora needs --lora-r R";
            return MatmulBenchmark.Problem(MatmulSizes, MatmulRepeats);
        }

        public LlamaConfig Config() => LlamaBenchmarkModel.Config(Preset, Layers, VocabSize);
    }

    public static JsonObject Forward(Options o) => Run(o, "forward", (config, result, owned) =>
    {
        var model = Own(owned, LlamaBenchmarkModel.CreateCausalLM(config, o.Seed));
        var ids = Own(owned, BenchmarkModel.RandomIds(o.BatchSize, o.SeqLen, config.VocabSize, o.Seed));   // [B, T]
        var flopsPerToken = LlamaBenchmarkModel.ForwardFlopsPerToken(config, o.SeqLen);
        result["flops_per_token"] = flopsPerToken;
        result["flops_formula"] = "2*(decoder matmul parameters + hidden*vocab LM head) + 4*layers*heads*head_dim*seq_len";
        return dtype =>
        {
            model.ComputeDtype = dtype;
            using var _ = inference_mode();
            var seconds = BenchmarkTiming.Measure(() => { using var logits = model.forward(ids); }, o.Warmup, o.Repeats);
            var median = BenchmarkTiming.Median(seconds);
            var tokensPerSecond = o.BatchSize * (double)o.SeqLen / median;
            return (new JsonObject { ["forward_ms_median"] = BenchmarkTiming.Round(median * 1e3) }, tokensPerSecond, tokensPerSecond * flopsPerToken);
        };
    });

    public static JsonObject Generate(Options o) => Run(o, "generate", (config, result, owned) =>
    {
        var model = Own(owned, LlamaBenchmarkModel.CreateCausalLM(config with { MaxPositionEmbeddings = o.SeqLen + o.NewTokens }, o.Seed));
        var pad = config.EffectivePadTokenId;
        var generation = new GenerationConfig
        {
            MaxNewTokens = o.NewTokens, Temperature = 1.0, StopAtEos = false, UseKvCache = true, EosTokenId = pad, PadTokenId = pad,
        };
        result["prompt_tokens"] = o.SeqLen;
        result["new_tokens"] = o.NewTokens;
        return dtype =>
        {
            model.ComputeDtype = dtype;
            var runs = new JsonObject();
            double tokensPerSecond = 0;
            foreach (var batch in o.GenerateBatchSizes)
            {
                var random = new Random(o.Seed + batch);
                var prompts = Enumerable.Range(0, batch)
                    .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, o.SeqLen).Select(_ => 1 + random.Next(config.VocabSize - 1)).ToArray())
                    .ToArray();
                using var generator = new Generator((ulong)o.Seed);
                var seconds = BenchmarkTiming.Measure(() => { using var r = Sampler.Generate(model, prompts, generation, generator); }, o.Warmup, o.Repeats);
                tokensPerSecond = batch * (double)o.NewTokens / BenchmarkTiming.Median(seconds);
                runs[$"batch{batch}_tokens_per_s"] = BenchmarkTiming.Round(tokensPerSecond);
            }
            // Decoding is memory-bound: no MFU; the headline rate is the largest batch's.
            return (runs, tokensPerSecond, double.NaN);
        };
    });

    public static JsonObject Reward(Options o) => Run(o, "reward", (config, result, owned) =>
    {
        var model = Own(owned, LlamaBenchmarkModel.CreateRewardModel(config, o.Seed));
        var ids = Own(owned, BenchmarkModel.RandomIds(2 * o.BatchSize, o.SeqLen, config.VocabSize, o.Seed));   // [2B, T], no padding
        var flopsPerToken = LlamaBenchmarkModel.RewardTrainingFlopsPerToken(config, o.SeqLen);
        result["batch_pairs"] = o.BatchSize;
        result["flops_per_token"] = flopsPerToken;
        result["flops_formula"] = "6*(decoder matmul parameters + score) + 12*layers*heads*head_dim*seq_len (forward + backward)";
        return dtype =>
        {
            model.ComputeDtype = dtype;
            return EachMethod(o, model, scoreHead: true, 2.0 * o.BatchSize * o.SeqLen, flopsPerToken, optimizer => BenchmarkTiming.Measure(() =>
            {
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var hidden = model.HiddenStates(ids);                                                  // [2B, T, C]
                var rewards = model.ScoreHidden(hidden.select(1, o.SeqLen - 1));                       // [2B] (no padding: the last token)
                var terms = RewardLoss.Compute(rewards.narrow(0, 0, o.BatchSize), rewards.narrow(0, o.BatchSize, o.BatchSize));
                terms.Loss.backward();
                optimizer.Step(1e-5, 1.0);
                optimizer.ZeroGrad();
            }, o.Warmup, o.Repeats));
        };
    });

    public static JsonObject Ppo(Options o) => Run(o, "ppo", (config, result, owned) =>
    {
        var policy = Own(owned, LlamaBenchmarkModel.CreateCausalLM(config, o.Seed));
        var valueModel = Own(owned, LlamaBenchmarkModel.CreateRewardModel(config, o.Seed + 1));
        // Full fine-tuning holds a frozen copy of the policy as ref_policy (as PpoTrainer does); LoRA's reference is the
        // shared base with the adapter off. The update phase does not run it, but it is resident (peak memory).
        if (o.Methods.Contains(Full)) Own(owned, LlamaBenchmarkModel.CreateCausalLM(config, o.Seed));
        policy.train();
        var args = new PpoConfig { BatchSize = o.BatchSize, MiniBatches = o.MiniBatches, PpoEpochs = 1, LearningRate = 1e-6 };
        var (P, N, B) = (o.SeqLen, o.NewTokens, o.BatchSize);
        var batch = SyntheticRollout(policy, valueModel, B, P, N, config.VocabSize, o.Seed);
        owned.AddRange([batch.QueryResponses, batch.AttentionMask, batch.Responses, batch.Logprobs, batch.Values, batch.Returns, batch.Advantages, batch.PaddingMask]);
        var tokens = (double)B * (P + N);
        var attention = 3 * LlamaBenchmarkModel.AttentionFlopsPerToken(config, P + N);
        var updateFlops = tokens * 2 * (6.0 * LlamaBenchmarkModel.LayerMatmulParameters(config) + attention)
                          + (double)B * N * 6.0 * (LlamaBenchmarkModel.LmHeadParameters(config) + config.HiddenSize);
        result["rollouts"] = B;
        result["mini_batches"] = o.MiniBatches;
        result["prompt_tokens"] = P;
        result["response_tokens"] = N;
        result["update_flops"] = updateFlops;
        result["update_flops_formula"] = "B*(P+N) * 2 * (6*decoder matmul parameters + 12*layers*heads*head_dim*(P+N)) + B*N * 6*(hidden*vocab + hidden): policy and value model, LM head and score head on the N response positions";
        return dtype =>
        {
            policy.ComputeDtype = dtype;
            valueModel.ComputeDtype = dtype;
            var methods = new JsonObject();
            var rates = new Dictionary<string, double>();
            foreach (var method in o.Methods)
            {
                using var trainedPolicy = Trained(policy, method, o, scoreHead: false);
                using var trainedValue = Trained(valueModel, method, o, scoreHead: true);
                using var optimizer = new PpoOptimizer(trainedPolicy.Parameters, trainedValue.Parameters, args) { LearningRate = args.LearningRate };
                var phases = new PpoPhaseTimes();
                var seconds = BenchmarkTiming.Measure(() =>
                {
                    for (var start = 0; start < B; start += args.MiniBatchSize)
                        PpoMinibatchUpdate.Run(policy, valueModel, optimizer, batch, Enumerable.Range(start, args.MiniBatchSize).Select(i => (long)i).ToArray(), args, phases);
                }, o.Warmup, o.Repeats);
                var median = BenchmarkTiming.Median(seconds);
                rates[method] = tokens / median;
                methods[method] = new JsonObject
                {
                    ["tokens_per_s"] = BenchmarkTiming.Round(tokens / median),
                    ["update_s_median"] = BenchmarkTiming.Round(median),
                    ["update_phases_s"] = PpoBenchmark.PhasesPerUpdate(phases, o.Warmup + o.Repeats),
                    ["trained_parameters"] = trainedPolicy.TrainedCount + trainedValue.TrainedCount,
                };
            }
            return MethodsResult(o, methods, rates, updateFlops / tokens);
        };
    });

    public static JsonObject Sft(Options o) => Run(o, "sft", (config, result, owned) =>
    {
        var model = Own(owned, LlamaBenchmarkModel.CreateCausalLM(config, o.Seed));
        model.train();
        var ids = Own(owned, BenchmarkModel.RandomIds(o.BatchSize, o.SeqLen, config.VocabSize, o.Seed));   // [B, T], no padding
        var flopsPerToken = 6.0 * (LlamaBenchmarkModel.LayerMatmulParameters(config) + LlamaBenchmarkModel.LmHeadParameters(config))
                            + 3 * LlamaBenchmarkModel.AttentionFlopsPerToken(config, o.SeqLen);
        result["flops_per_token"] = flopsPerToken;
        result["flops_formula"] = "6*(decoder matmul parameters + hidden*vocab LM head) + 12*layers*heads*head_dim*seq_len (forward + backward, full fine-tuning)";
        return dtype =>
        {
            model.ComputeDtype = dtype;
            return EachMethod(o, model, scoreHead: false, (double)o.BatchSize * o.SeqLen, flopsPerToken, optimizer => BenchmarkTiming.Measure(() =>
            {
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var logits = model.forward(ids).to_type(ScalarType.Float32);                           // [B, T, V]
                var V = logits.shape[2];
                var loss = nn.functional.cross_entropy(logits.narrow(1, 0, o.SeqLen - 1).reshape(-1, V),   // next-token loss on every position
                    ids.narrow(1, 1, o.SeqLen - 1).reshape(-1));
                loss.backward();
                optimizer.Step(1e-5, 1.0);
                optimizer.ZeroGrad();
            }, o.Warmup, o.Repeats));
        };
    });

    /// <summary>
    /// What one method trains in <paramref name="model"/>: every weight (requires_grad set again, a LoRA measurement
    /// froze them) or a fresh LoRA adapter on every linear layer (rank r, alpha 2r; a reward or value model's score head
    /// trains too). Disposing puts the plain layers back.
    /// </summary>
    private static TrainedWeights Trained(IDecoderModel model, string method, Options o, bool scoreHead)
    {
        foreach (var p in model.Module.parameters()) p.requires_grad = true;
        var lora = method == Lora ? new LoraConfig { Rank = o.LoraRank!.Value, Alpha = 2 * o.LoraRank.Value, TrainScoreHead = true } : null;
        using var generator = new Generator((ulong)o.Seed + 11);
        return TrainedWeights.Attach(model, lora, null, generator, scoreHead);
    }

    /// <summary>A training step timed once per method (AdamW over what that method trains), in the same run.</summary>
    private static (JsonObject Details, double TokensPerSecond, double AchievedFlops) EachMethod(Options o, IDecoderModel model, bool scoreHead,
        double tokensPerStep, double fullFlopsPerToken, Func<FusedAdamW, double[]> measure)
    {
        var methods = new JsonObject();
        var rates = new Dictionary<string, double>();
        foreach (var method in o.Methods)
        {
            using var trained = Trained(model, method, o, scoreHead);
            using var optimizer = new FusedAdamW(trained.Parameters, eps: 1e-8, weightDecay: 0.0, beta1: 0.9, beta2: 0.999);
            var median = BenchmarkTiming.Median(measure(optimizer));
            rates[method] = tokensPerStep / median;
            methods[method] = new JsonObject
            {
                ["tokens_per_s"] = BenchmarkTiming.Round(tokensPerStep / median),
                ["step_ms_median"] = BenchmarkTiming.Round(median * 1e3),
                ["trained_parameters"] = trained.TrainedCount,
            };
        }
        return MethodsResult(o, methods, rates, fullFlopsPerToken);
    }

    /// <summary>The per-method entries, LoRA / full ratio when both ran; the headline rate is the first method's (MFU only for full).</summary>
    private static (JsonObject Details, double TokensPerSecond, double AchievedFlops) MethodsResult(Options o, JsonObject methods,
        Dictionary<string, double> rates, double fullFlopsPerToken)
    {
        var details = new JsonObject { ["methods"] = methods };
        if (rates.ContainsKey(Full) && rates.ContainsKey(Lora)) details["lora_over_full_tokens_per_s"] = BenchmarkTiming.Round(rates[Lora] / rates[Full]);
        var first = o.Methods[0];
        return (details, rates[first], first == Full ? rates[first] * fullFlopsPerToken : double.NaN);
    }

    /// <summary>
    /// A rollout of random prompt + response ids (no padding): logprobs from the policy itself (so the ratio starts at 1),
    /// values from the value model, returns = values + N(0, 1), advantages N(0, 1).
    /// </summary>
    private static PpoUpdateBatch SyntheticRollout(ICausalLanguageModel policy, IRewardModel valueModel, int B, int P, int N, int vocab, int seed)
    {
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed + 7);
        var queryResponses = BenchmarkModel.RandomIds(B, P + N, vocab, seed);                         // [B, P + N]
        var attentionMask = ones_like(queryResponses);                                                  // [B, P + N]
        var responses = queryResponses.narrow(1, P, N).contiguous();                                    // [B, N]
        using var logits = PpoForward.ResponseLogits(policy, queryResponses, attentionMask, P, 1.0);   // [B, N, V]
        var logprobs = PpoForward.LogProbs(logits, responses);                                          // [B, N]
        var values = PpoForward.Values(valueModel, queryResponses, attentionMask, P);                   // [B, N]
        var returns = values + randn([B, N], generator: generator);                                     // [B, N]
        var advantages = randn([B, N], generator: generator);                                           // [B, N]
        var paddingMask = zeros([B, N], dtype: ScalarType.Bool);                                        // [B, N]
        return new PpoUpdateBatch(queryResponses, attentionMask, responses, logprobs, values, returns, advantages, paddingMask, P);
    }

    /// <summary>
    /// Builds the model(s) once, then for each dtype: that dtype's matmul rate, the measurement, MFU = achieved FLOP/s / that
    /// rate, the load average; finally bf16 / float32 ratios when both ran.
    /// </summary>
    private static JsonObject Run(Options o, string benchmark,
        Func<LlamaConfig, JsonObject, List<IDisposable>, Func<ScalarType, (JsonObject Details, double TokensPerSecond, double AchievedFlops)>> setup)
    {
        if (o.Problem() is string problem) throw new ArgumentException(problem, nameof(o));
        var threads = TorchThreads.EnsureConfigured();
        var config = o.Config();
        var result = new JsonObject
        {
            ["benchmark"] = benchmark,
            ["arch"] = "llama",
            ["preset"] = o.Preset,
            ["threads"] = threads,
            ["layers"] = config.NumHiddenLayers,
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["heads"] = config.NumAttentionHeads,
            ["kv_heads"] = config.NumKeyValueHeads,
            ["vocab_size"] = config.VocabSize,
            ["seq_len"] = o.SeqLen,
            ["batch_size"] = o.BatchSize,
            ["warmup"] = o.Warmup,
            ["repeats"] = o.Repeats,
            ["methods"] = string.Join(",", o.Methods),
            ["lora_r"] = o.LoraRank,
            ["load_avg_1m_before"] = BenchmarkTiming.LoadAverage(),
            ["native_heap_kept"] = NativeHeap.KeepingFreedMemory,   // freed tensor memory stays mapped (RLHF_KEEP_FREED_NATIVE_MEMORY=0: off)
        };
        var owned = new List<IDisposable>();   // the models, optimizers and inputs setup made, disposed at the end
        try
        {
            Measure(o, setup(config, result, owned), result);
            result["peak_rss_mb"] = PeakRss.MegabytesOrNull();
            result["peak_rss_note"] = "VmHWM of this process (/proc/self/status): the peak of every method and dtype it ran; one --method and one --dtype per process gives each configuration's own peak";
        }
        finally
        {
            foreach (var d in owned) d.Dispose();
        }
        return result;
    }

    private static T Own<T>(List<IDisposable> owned, T item) where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    private static void Measure(Options o, Func<ScalarType, (JsonObject Details, double TokensPerSecond, double AchievedFlops)> measure, JsonObject result)
    {
        var rates = new Dictionary<ScalarType, double>();
        var matmuls = new Dictionary<ScalarType, double>();
        var perDtype = new JsonObject();
        foreach (var dtype in o.Dtypes)
        {
            var matmul = MatmulBenchmark.Run(o.MatmulSizes, warmup: 1, repeats: o.MatmulRepeats, dtype);
            var (details, tokensPerSecond, achieved) = measure(dtype);
            rates[dtype] = tokensPerSecond;
            matmuls[dtype] = matmul.BestGflops;
            var entry = new JsonObject
            {
                ["matmul_gflops"] = BenchmarkTiming.Round(matmul.BestGflops),
                ["tokens_per_s"] = BenchmarkTiming.Round(tokensPerSecond),
            };
            if (double.IsFinite(achieved))
            {
                entry["achieved_gflops"] = BenchmarkTiming.Round(achieved / 1e9);
                entry["mfu"] = BenchmarkTiming.Round(achieved / (matmul.BestGflops * 1e9));
            }
            foreach (var key in details.Select(field => field.Key).ToList())
            {
                var value = details[key];
                details.Remove(key);
                entry[key] = value;
            }
            entry["load_avg_1m"] = BenchmarkTiming.LoadAverage();
            perDtype[ComputePrecision.Name(dtype)] = entry;
        }
        result["dtypes"] = perDtype;
        if (rates.ContainsKey(ScalarType.Float32) && rates.ContainsKey(ScalarType.BFloat16))
        {
            result["bf16_over_float32_tokens_per_s"] = BenchmarkTiming.Round(rates[ScalarType.BFloat16] / rates[ScalarType.Float32]);
            result["bf16_over_float32_matmul"] = BenchmarkTiming.Round(matmuls[ScalarType.BFloat16] / matmuls[ScalarType.Float32]);
        }
    }
}
