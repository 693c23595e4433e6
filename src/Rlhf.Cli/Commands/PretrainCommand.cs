namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Demo;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Pretraining;

/// <summary>
/// `rlhf pretrain --out DIR [--seed --steps --n-layer --n-embd --n-head --block-size --batch-size --lr ...]`:
/// trains a small GPT-2 from scratch on the built-in demo corpus of support conversations (see
/// <see cref="DemoPolicy"/>) and saves it in the Hugging Face layout. Prints one
/// JSON line per log interval {"step","loss","lr","grad_norm","tokens_per_s","elapsed_s"} and a final line
/// {"done":true,...}. The defaults reproduce the shipped models/demo-policy (docs/demo-model.md).
/// Exit codes: 0 ok, 1 failure (cannot write, cancelled), 2 bad options.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var defaults = new PretrainConfig();
        var outDir = new Option<string>("--out") { Description = "Folder to write config.json + model.safetensors to (created if missing).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the corpus, the initial weights and the data order.", DefaultValueFactory = _ => defaults.Seed };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => defaults.Steps };
        var nLayer = new Option<int>("--n-layer") { Description = "Transformer blocks.", DefaultValueFactory = _ => defaults.NLayer };
        var nEmbd = new Option<int>("--n-embd") { Description = "Model width (divisible by --n-head).", DefaultValueFactory = _ => defaults.NEmbd };
        var nHead = new Option<int>("--n-head") { Description = "Attention heads.", DefaultValueFactory = _ => defaults.NHead };
        var blockSize = new Option<int>("--block-size") { Description = "Longest input in tokens; the model's n_positions.", DefaultValueFactory = _ => defaults.BlockSize };
        var batchSize = new Option<int>("--batch-size") { Description = "Conversations per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW).", DefaultValueFactory = _ => defaults.LearningRate };
        var minLr = new Option<double?>("--min-lr") { Description = "Learning rate at the end of the cosine decay (default: lr / 10)." };
        var warmup = new Option<int>("--warmup") { Description = "Linear warm-up steps (at most steps / 10 are used).", DefaultValueFactory = _ => defaults.WarmupSteps };
        var examples = new Option<int>("--examples") { Description = "Number of demo conversations to generate and train on.", DefaultValueFactory = _ => defaults.Examples };
        var logEvery = new Option<int>("--log-every") { Description = "Print a metrics line every this many steps.", DefaultValueFactory = _ => defaults.LogInterval };
        var threads = new Option<int?>("--threads") { Description = "Torch intra-op threads (default: min(2, cores)). Results are reproducible for a given seed and thread count." };

        var command = new Command("pretrain", "Train a small GPT-2 from scratch on the built-in demo corpus of customer-support conversations.")
        {
            outDir, seed, steps, nLayer, nEmbd, nHead, blockSize, batchSize, lr, minLr, warmup, examples, logEvery, threads,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var config = new PretrainConfig
            {
                Seed = parseResult.GetValue(seed),
                Steps = parseResult.GetValue(steps),
                NLayer = parseResult.GetValue(nLayer),
                NEmbd = parseResult.GetValue(nEmbd),
                NHead = parseResult.GetValue(nHead),
                BlockSize = parseResult.GetValue(blockSize),
                BatchSize = parseResult.GetValue(batchSize),
                LearningRate = parseResult.GetValue(lr),
                MinLearningRate = parseResult.GetValue(minLr),
                WarmupSteps = parseResult.GetValue(warmup),
                Examples = parseResult.GetValue(examples),
                LogInterval = parseResult.GetValue(logEvery),
            };
            var folder = parseResult.GetValue(outDir) ?? "";
            var threadCount = parseResult.GetValue(threads);
            if (Validate(config, folder, threadCount) is string problem)
            {
                error.WriteLine($"rlhf: {problem}");
                return Task.FromResult(2);
            }
            return Task.FromResult(Run(config, Path.GetFullPath(folder), threadCount, output, error, cancellationToken));
        });
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Null when the options are usable, else a one-line reason.</summary>
    internal static string? Validate(PretrainConfig config, string folder, int? threads)
    {
        if (string.IsNullOrWhiteSpace(folder)) return "--out: no folder given.";
        if (File.Exists(folder)) return $"--out: {folder} is a file, expected a folder.";
        if (threads is < 1) return $"--threads must be at least 1 (got {threads}).";
        return config.Problem() is string problem ? $"--{problem}." : null;
    }

    private static int Run(PretrainConfig config, string folder, int? threads, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        var threadCount = TorchThreads.EnsureConfigured(threads);
        try
        {
            var result = DemoPolicy.Train(config, p => output.WriteLine(new JsonObject
            {
                ["step"] = p.Step,
                ["loss"] = Math.Round(p.Loss, 5),
                ["lr"] = p.LearningRate,
                ["grad_norm"] = Math.Round(p.GradNorm, 4),
                ["tokens_per_s"] = Math.Round(p.TokensPerSecond, 1),
                ["elapsed_s"] = Math.Round(p.ElapsedSeconds, 1),
            }.ToJsonString(JsonOptions)), cancellationToken);
            using var model = result.Model;
            Gpt2Checkpoint.Save(model, folder);
            var bytes = new[] { Gpt2Checkpoint.ConfigFileName, Gpt2Checkpoint.WeightsFileName }
                .Sum(f => new FileInfo(Path.Combine(folder, f)).Length);
            output.WriteLine(new JsonObject
            {
                ["done"] = true,
                ["out"] = folder,
                ["seed"] = config.Seed,
                ["threads"] = threadCount,
                ["steps"] = config.Steps,
                ["examples"] = config.Examples,
                ["tokens"] = result.Tokens,
                ["parameters"] = result.Parameters,
                ["first_loss"] = Math.Round(result.FirstLoss, 5),
                ["final_loss"] = Math.Round(result.FinalLoss, 5),
                ["final_loss_avg20"] = Math.Round(result.FinalLossAverage, 5),
                ["val_loss"] = result.ValidationLoss is double v ? Math.Round(v, 5) : null,
                ["seconds"] = Math.Round(result.Seconds, 1),
                ["size_bytes"] = bytes,
            }.ToJsonString(JsonOptions));
            return 0;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("rlhf: pretraining cancelled; nothing was saved.");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointException)
        {
            error.WriteLine($"rlhf: cannot save the model to {folder}: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }
}
