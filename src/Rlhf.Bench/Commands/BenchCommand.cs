namespace Rlhf.Bench.Commands;

using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Training;
using Rlhf.Bench.Training;

/// <summary>
/// `rlhf bench forward|generate`: speed measurements of the GPT-2 code on this machine, each printed as
/// one JSON object. Speed is measured here, never asserted by tests. `bench` is a parent command so more
/// benchmarks (e.g. `bench reward`) can be added beside these. Exit codes: 0 ok, 2 bad options.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure the speed of the model code on this machine (prints JSON).");
        command.Subcommands.Add(CreateForward());
        command.Subcommands.Add(CreateGenerate());
        command.Subcommands.Add(CreateSft());
        command.Subcommands.Add(CreateReward());
        command.Subcommands.Add(CreatePpo());
        command.Subcommands.Add(CreateMatmul());
        command.Subcommands.Add(BenchLoopCommand.Create());
        command.Subcommands.Add(BenchLoadCommand.Create());
        command.Subcommands.Add(BenchCircuitsCommand.Create());
        return command;
    }

    private static Command CreateForward()
    {
        var d = new ForwardBenchmark.Options();
        var nLayer = new Option<int>("--n-layer") { Description = "Transformer blocks.", DefaultValueFactory = _ => d.NLayer };
        var nEmbd = new Option<int>("--n-embd") { Description = "Model width.", DefaultValueFactory = _ => d.NEmbd };
        var nHead = new Option<int>("--n-head") { Description = "Attention heads.", DefaultValueFactory = _ => d.NHead };
        var vocab = new Option<int>("--vocab-size") { Description = "Vocabulary size (GPT-2: 50257).", DefaultValueFactory = _ => d.VocabSize };
        var seqLen = new Option<int>("--seq-len") { Description = "Tokens per row.", DefaultValueFactory = _ => d.SeqLen };
        var batch = new Option<int>("--batch-size") { Description = "Rows per forward pass.", DefaultValueFactory = _ => d.BatchSize };
        var warmup = new Option<int>("--warmup") { Description = "Untimed forward passes first.", DefaultValueFactory = _ => d.Warmup };
        var repeats = new Option<int>("--repeats") { Description = "Timed forward passes (the median is reported).", DefaultValueFactory = _ => d.Repeats };
        var sizes = new Option<string>("--matmul-sizes") { Description = "Square matmul sizes for the peak FLOP/s, comma-separated.", DefaultValueFactory = _ => string.Join(",", d.MatmulSizes) };
        var threads = Threads();
        var command = new Command("forward", "Prefill tokens/s of a random GPT-2 (or --arch llama) and its MFU against a matmul rate measured in the same run.")
        {
            nLayer, nEmbd, nHead, vocab, seqLen, batch, warmup, repeats, sizes, threads,
        };
        var arch = new LlamaBenchOptions();
        arch.AddTo(command);
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var llama = arch.Parse(parseResult, new LlamaBenchmark.Options
            {
                BatchSize = LlamaBenchOptions.Explicit(parseResult, batch) ?? 2, SeqLen = parseResult.GetValue(seqLen),
                VocabSize = LlamaBenchOptions.Explicit(parseResult, vocab), Warmup = LlamaBenchOptions.Explicit(parseResult, warmup) ?? 1,
                Repeats = LlamaBenchOptions.Explicit(parseResult, repeats) ?? 3,
            }, out var archProblem);
            if (archProblem is not null) return Fail(error, archProblem);
            if (llama is not null) return RunLlama(parseResult, threads, () => LlamaBenchmark.Forward(llama));
            if (!TryParseSizes(parseResult.GetValue(sizes), "--matmul-sizes", out var matmulSizes, out var problem))
                return Fail(error, problem);
            var options = new ForwardBenchmark.Options
            {
                NLayer = parseResult.GetValue(nLayer), NEmbd = parseResult.GetValue(nEmbd), NHead = parseResult.GetValue(nHead),
                VocabSize = parseResult.GetValue(vocab), SeqLen = parseResult.GetValue(seqLen), BatchSize = parseResult.GetValue(batch),
                Warmup = parseResult.GetValue(warmup), Repeats = parseResult.GetValue(repeats), MatmulSizes = matmulSizes,
            };
            if (options.Problem() is string p) return Fail(error, $"--{p}.");
            if (ThreadsProblem(parseResult.GetValue(threads)) is string t) return Fail(error, t);
            TorchThreads.EnsureConfigured(parseResult.GetValue(threads));
            return Print(parseResult, ForwardBenchmark.Run(options));
        });
        return command;
    }

    private static Command CreateSft()
    {
        var seqLen = new Option<int>("--seq-len") { Description = "Tokens per sequence.", DefaultValueFactory = _ => 128 };
        var batch = new Option<int>("--batch-size") { Description = "Sequences per step.", DefaultValueFactory = _ => 4 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { Description = "Timed training steps (the median is reported).", DefaultValueFactory = _ => 3 };
        var threads = Threads();
        var command = new Command("sft", "Supervised fine-tuning step tokens/s (next-token loss, backward, AdamW), --arch llama only; with --lora-r also a LoRA adapter's.")
        {
            seqLen, batch, warmup, repeats, threads,
        };
        var arch = new LlamaBenchOptions();
        arch.AddTo(command, training: true);
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var llama = arch.Parse(parseResult, new LlamaBenchmark.Options
            {
                BatchSize = parseResult.GetValue(batch), SeqLen = parseResult.GetValue(seqLen),
                Warmup = parseResult.GetValue(warmup), Repeats = parseResult.GetValue(repeats),
            }, out var archProblem);
            if (archProblem is not null) return Fail(error, archProblem);
            if (llama is null) return Fail(error, "bench sft runs --arch llama only.");
            return RunLlama(parseResult, threads, () => LlamaBenchmark.Sft(llama));
        });
        return command;
    }

    private static Command CreateReward()
    {
        var d = new RewardBenchmark.Options();
        var nLayer = new Option<int>("--n-layer") { Description = "Transformer blocks.", DefaultValueFactory = _ => d.NLayer };
        var nEmbd = new Option<int>("--n-embd") { Description = "Model width.", DefaultValueFactory = _ => d.NEmbd };
        var nHead = new Option<int>("--n-head") { Description = "Attention heads.", DefaultValueFactory = _ => d.NHead };
        var seqLen = new Option<int>("--seq-len") { Description = "Tokens per sequence.", DefaultValueFactory = _ => d.SeqLen };
        var batchPairs = new Option<int>("--batch-pairs") { Description = "Preference pairs per step (2 sequences each).", DefaultValueFactory = _ => d.BatchPairs };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => d.Warmup };
        var repeats = new Option<int>("--repeats") { Description = "Timed training steps (the median is reported).", DefaultValueFactory = _ => d.Repeats };
        var threads = Threads();
        var command = new Command("reward", "Reward-model training tokens/s and MFU (forward + backward + AdamW) against a matmul rate measured in the same run.")
        {
            nLayer, nEmbd, nHead, seqLen, batchPairs, warmup, repeats, threads,
        };
        var arch = new LlamaBenchOptions();
        arch.AddTo(command, training: true);
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var llama = arch.Parse(parseResult, new LlamaBenchmark.Options
            {
                BatchSize = LlamaBenchOptions.Explicit(parseResult, batchPairs) ?? 2, SeqLen = parseResult.GetValue(seqLen),
                Warmup = LlamaBenchOptions.Explicit(parseResult, warmup) ?? 1, Repeats = LlamaBenchOptions.Explicit(parseResult, repeats) ?? 3,
            }, out var archProblem);
            if (archProblem is not null) return Fail(error, archProblem);
            if (llama is not null) return RunLlama(parseResult, threads, () => LlamaBenchmark.Reward(llama));
            if (parseResult.GetValue(arch.LoraR) is not null || parseResult.GetValue(arch.Method) is not null) return Fail(error, "--lora-r and --method go with --arch llama.");
            foreach (var (name, value) in new[] { ("--n-layer", parseResult.GetValue(nLayer)), ("--n-embd", parseResult.GetValue(nEmbd)), ("--n-head", parseResult.GetValue(nHead)),
                         ("--seq-len", parseResult.GetValue(seqLen)), ("--batch-pairs", parseResult.GetValue(batchPairs)), ("--repeats", parseResult.GetValue(repeats)) })
                if (value < 1) return Fail(error, $"{name} must be at least 1.");
            if (parseResult.GetValue(nEmbd) % parseResult.GetValue(nHead) != 0) return Fail(error, "--n-embd must be a multiple of --n-head.");
            if (ThreadsProblem(parseResult.GetValue(threads)) is string t) return Fail(error, t);
            TorchThreads.EnsureConfigured(parseResult.GetValue(threads));
            return Print(parseResult, RewardBenchmark.Run(new RewardBenchmark.Options
            {
                NLayer = parseResult.GetValue(nLayer), NEmbd = parseResult.GetValue(nEmbd), NHead = parseResult.GetValue(nHead),
                SeqLen = parseResult.GetValue(seqLen), BatchPairs = parseResult.GetValue(batchPairs),
                Warmup = Math.Max(0, parseResult.GetValue(warmup)), Repeats = parseResult.GetValue(repeats), Threads = parseResult.GetValue(threads),
            }));
        });
        return command;
    }

    private static Command CreatePpo()
    {
        var d = new PpoBenchmark.Options();
        var nLayer = new Option<int>("--n-layer") { Description = "Transformer blocks.", DefaultValueFactory = _ => d.NLayer };
        var nEmbd = new Option<int>("--n-embd") { Description = "Model width.", DefaultValueFactory = _ => d.NEmbd };
        var nHead = new Option<int>("--n-head") { Description = "Attention heads.", DefaultValueFactory = _ => d.NHead };
        var batch = new Option<int>("--batch") { Description = "Rollouts per update.", DefaultValueFactory = _ => d.BatchSize };
        var minibatches = new Option<int>("--minibatches") { Description = "Minibatches per batch.", DefaultValueFactory = _ => d.MiniBatches };
        var ppoEpochs = new Option<int>("--ppo-epochs") { Description = "Passes over each batch.", DefaultValueFactory = _ => d.PpoEpochs };
        var responseLength = new Option<int>("--response-length") { Description = "Tokens generated per response.", DefaultValueFactory = _ => d.ResponseLength };
        var repeats = new Option<int>("--repeats") { Description = "Timed PPO updates after one warm-up (the median is reported).", DefaultValueFactory = _ => d.Repeats };
        var threads = Threads();
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt tokens per rollout (--arch llama, whose update runs on a synthetic rollout).", DefaultValueFactory = _ => 64 };
        var command = new Command("ppo", "One PPO update split into generation, reference/value forward, scoring and update; the update's MFU (--arch llama: the update phase alone).")
        {
            nLayer, nEmbd, nHead, batch, minibatches, ppoEpochs, responseLength, repeats, threads, promptTokens,
        };
        var arch = new LlamaBenchOptions();
        arch.AddTo(command, training: true);
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var llama = arch.Parse(parseResult, new LlamaBenchmark.Options
            {
                BatchSize = LlamaBenchOptions.Explicit(parseResult, batch) ?? 8, MiniBatches = parseResult.GetValue(minibatches),
                SeqLen = parseResult.GetValue(promptTokens), NewTokens = parseResult.GetValue(responseLength),
                Repeats = LlamaBenchOptions.Explicit(parseResult, repeats) ?? 2,
            }, out var archProblem);
            if (archProblem is not null) return Fail(error, archProblem);
            if (llama is not null) return RunLlama(parseResult, threads, () => LlamaBenchmark.Ppo(llama));
            if (parseResult.GetValue(arch.LoraR) is not null || parseResult.GetValue(arch.Method) is not null) return Fail(error, "--lora-r and --method go with --arch llama.");
            foreach (var (name, value) in new[] { ("--n-layer", parseResult.GetValue(nLayer)), ("--n-embd", parseResult.GetValue(nEmbd)), ("--n-head", parseResult.GetValue(nHead)),
                         ("--batch", parseResult.GetValue(batch)), ("--minibatches", parseResult.GetValue(minibatches)), ("--ppo-epochs", parseResult.GetValue(ppoEpochs)),
                         ("--response-length", parseResult.GetValue(responseLength)), ("--repeats", parseResult.GetValue(repeats)) })
                if (value < 1) return Fail(error, $"{name} must be at least 1.");
            if (parseResult.GetValue(nEmbd) % parseResult.GetValue(nHead) != 0) return Fail(error, "--n-embd must be a multiple of --n-head.");
            if (parseResult.GetValue(batch) % parseResult.GetValue(minibatches) != 0) return Fail(error, "--batch must be a multiple of --minibatches.");
            if (ThreadsProblem(parseResult.GetValue(threads)) is string t) return Fail(error, t);
            TorchThreads.EnsureConfigured(parseResult.GetValue(threads));
            return Print(parseResult, PpoBenchmark.Run(new PpoBenchmark.Options
            {
                NLayer = parseResult.GetValue(nLayer), NEmbd = parseResult.GetValue(nEmbd), NHead = parseResult.GetValue(nHead),
                BatchSize = parseResult.GetValue(batch), MiniBatches = parseResult.GetValue(minibatches), PpoEpochs = parseResult.GetValue(ppoEpochs),
                ResponseLength = parseResult.GetValue(responseLength), Repeats = parseResult.GetValue(repeats), Threads = parseResult.GetValue(threads),
            }));
        });
        return command;
    }

    private static Command CreateMatmul()
    {
        var sizes = new Option<string>("--matmul-sizes") { Description = "Square matmul sizes, comma-separated.", DefaultValueFactory = _ => "1024,2048" };
        var repeats = new Option<int>("--repeats") { Description = "Timed matmuls per size and dtype (the best is reported).", DefaultValueFactory = _ => 5 };
        var threads = Threads();
        var command = new Command("matmul", "The float32 and bfloat16 matmul rates of this machine, measured in the same run, and their ratio.")
        {
            sizes, repeats, threads,
        };
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!TryParseSizes(parseResult.GetValue(sizes), "--matmul-sizes", out var matmulSizes, out var problem))
                return Fail(error, problem);
            if (MatmulBenchmark.Problem(matmulSizes, parseResult.GetValue(repeats)) is string p) return Fail(error, $"--{p}.");
            if (ThreadsProblem(parseResult.GetValue(threads)) is string t) return Fail(error, t);
            var n = TorchThreads.EnsureConfigured(parseResult.GetValue(threads));
            return Print(parseResult, MatmulBenchmark.CompareDtypes(matmulSizes, parseResult.GetValue(repeats), n));
        });
        return command;
    }

    private static Command CreateGenerate()
    {
        var d = new GenerateBenchmark.Options();
        var nLayer = new Option<int>("--n-layer") { Description = "Transformer blocks.", DefaultValueFactory = _ => d.NLayer };
        var nEmbd = new Option<int>("--n-embd") { Description = "Model width.", DefaultValueFactory = _ => d.NEmbd };
        var nHead = new Option<int>("--n-head") { Description = "Attention heads.", DefaultValueFactory = _ => d.NHead };
        var vocab = new Option<int>("--vocab-size") { Description = "Vocabulary size (GPT-2: 50257).", DefaultValueFactory = _ => d.VocabSize };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt length of every row.", DefaultValueFactory = _ => d.PromptTokens };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per row.", DefaultValueFactory = _ => d.NewTokens };
        var batchSizes = new Option<string>("--batch-sizes") { Description = "Batch sizes of the cached runs, comma-separated.", DefaultValueFactory = _ => string.Join(",", d.BatchSizes) };
        var uncachedBatches = new Option<string>("--uncached-batch-sizes") { Description = "Batch sizes of the uncached runs (each with its speed-up), comma-separated.", DefaultValueFactory = _ => string.Join(",", d.UncachedBatchSizes) };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first.", DefaultValueFactory = _ => d.Warmup };
        var repeats = new Option<int>("--repeats") { Description = "Timed cached runs (the median is reported).", DefaultValueFactory = _ => d.Repeats };
        var uncachedRepeats = new Option<int>("--uncached-repeats") { Description = "Timed uncached runs (the median is reported).", DefaultValueFactory = _ => d.UncachedRepeats };
        var threads = Threads();
        var command = new Command("generate", "Decoding tokens/s with and without the KV cache on a random GPT-2 (--arch llama: cached only, per dtype).")
        {
            nLayer, nEmbd, nHead, vocab, promptTokens, newTokens, batchSizes, uncachedBatches, warmup, repeats, uncachedRepeats, threads,
        };
        var arch = new LlamaBenchOptions();
        arch.AddTo(command);
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!TryParseSizes(parseResult.GetValue(batchSizes), "--batch-sizes", out var sizes, out var problem))
                return Fail(error, problem);
            var llama = arch.Parse(parseResult, new LlamaBenchmark.Options
            {
                SeqLen = parseResult.GetValue(promptTokens), NewTokens = parseResult.GetValue(newTokens),
                GenerateBatchSizes = parseResult.GetResult(batchSizes) is { Implicit: false } ? sizes : [1, 8],
                VocabSize = LlamaBenchOptions.Explicit(parseResult, vocab), Warmup = LlamaBenchOptions.Explicit(parseResult, warmup) ?? 1,
                Repeats = LlamaBenchOptions.Explicit(parseResult, repeats) ?? 3,
            }, out var archProblem);
            if (archProblem is not null) return Fail(error, archProblem);
            if (llama is not null) return RunLlama(parseResult, threads, () => LlamaBenchmark.Generate(llama));
            if (!TryParseSizes(parseResult.GetValue(uncachedBatches), "--uncached-batch-sizes", out var uncachedSizes, out problem))
                return Fail(error, problem);
            var options = new GenerateBenchmark.Options
            {
                NLayer = parseResult.GetValue(nLayer), NEmbd = parseResult.GetValue(nEmbd), NHead = parseResult.GetValue(nHead),
                VocabSize = parseResult.GetValue(vocab), PromptTokens = parseResult.GetValue(promptTokens),
                NewTokens = parseResult.GetValue(newTokens), BatchSizes = sizes, UncachedBatchSizes = uncachedSizes,
                Warmup = parseResult.GetValue(warmup), Repeats = parseResult.GetValue(repeats), UncachedRepeats = parseResult.GetValue(uncachedRepeats),
            };
            if (options.Problem() is string p) return Fail(error, $"--{p}.");
            if (ThreadsProblem(parseResult.GetValue(threads)) is string t) return Fail(error, t);
            TorchThreads.EnsureConfigured(parseResult.GetValue(threads));
            return Print(parseResult, GenerateBenchmark.Run(options));
        });
        return command;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Option<int?> Threads() => new("--threads") { Description = "Torch intra-op threads (default: min(2, cores))." };

    private static string? ThreadsProblem(int? threads) => threads is < 1 ? $"--threads must be at least 1 (got {threads})." : null;

    private static int RunLlama(ParseResult parseResult, Option<int?> threads, Func<JsonObject> benchmark)
    {
        if (ThreadsProblem(parseResult.GetValue(threads)) is string t) return Fail(parseResult.InvocationConfiguration.Error, t);
        TorchThreads.EnsureConfigured(parseResult.GetValue(threads));
        return Print(parseResult, benchmark());
    }

    private static int Print(ParseResult parseResult, JsonObject result)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(result.ToJsonString(JsonOptions));
        return 0;
    }

    internal static int Fail(TextWriter error, string problem)
    {
        error.WriteLine($"rlhf: {problem}");
        return 2;
    }

    /// <summary>Parses "1024,2048" into positive integers.</summary>
    internal static bool TryParseSizes(string? text, string option, out int[] sizes, out string problem)
    {
        sizes = [];
        problem = "";
        var parts = (text ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) { problem = $"{option}: no sizes given."; return false; }
        var list = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                problem = $"{option}: '{part}' is not a positive integer.";
                return false;
            }
            list.Add(n);
        }
        sizes = list.ToArray();
        return true;
    }
}
