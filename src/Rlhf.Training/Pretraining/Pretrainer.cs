using System.Diagnostics;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Pretraining;

/// <summary>
/// Trains a GPT-2 language model from scratch, nanoGPT style, on tokenized conversations.
/// <list type="bullet">
/// <item>Data: one conversation a row, right-padded to the longest of the batch, loss masked on padding
/// (<see cref="PretrainBatch"/>); no packing, so every conversation starts at position 0 exactly as a prompt
/// does when sampling. The order is a fresh System.Random(seed) shuffle every epoch.</item>
/// <item>Loss: mean next-token cross-entropy over the real tokens. The tied LM head (h @ wte^T) is applied
/// only at those positions, so padding costs no vocabulary-sized matmul.</item>
/// <item>Optimiser: AdamW (<see cref="FusedAdamW"/>, betas 0.9/0.95), weight decay on 2-D weights only (Linear and embedding
/// weights; not biases or LayerNorm), global grad-norm clip, linear warm-up + cosine decay.</item>
/// <item>Init: <see cref="Gpt2Init"/> from torch.Generator(seed); torch.manual_seed(seed) too.</item>
/// </list>
/// Deterministic for a seed and a thread count (see docs/demo-model.md).
/// </summary>
public static class Pretrainer
{
    /// <summary>Tokenizes texts (each should end with "&lt;|endoftext|&gt;") with the GPT-2 tokenizer.</summary>
    public static int[][] Tokenize(IEnumerable<string> texts)
        => texts.Select(t => Gpt2Tokenizer.Shared.Encode(t)).ToArray();

    /// <summary>
    /// Trains a new model on <paramref name="sequences"/> (token ids, at least 2 each). Progress is reported
    /// every config.LogInterval steps and at the last step. The returned model is in eval mode.
    /// </summary>
    public static PretrainResult Train(PretrainConfig config, IReadOnlyList<int[]> sequences,
        IReadOnlyList<int[]>? validation = null, Action<PretrainProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (config.Problem() is string problem) throw new ArgumentException(problem, nameof(config));
        var usable = sequences.Where(s => s.Length >= 2).ToArray();
        if (usable.Length == 0) throw new ArgumentException("no sequence has 2 or more tokens", nameof(sequences));

        var modelConfig = config.ModelConfig();
        torch.manual_seed(config.Seed);
        using var generator = new Generator((ulong)config.Seed);
        var model = new Gpt2LMHeadModel(modelConfig);
        try
        {
            Gpt2Init.Apply(model, generator);
            model.train();

            var parameters = model.parameters().ToArray();
            using var optimizer = new FusedAdamW(model.named_parameters(), config.Epsilon, config.WeightDecay, config.Beta1, config.Beta2);

            var order = new DataOrder(usable.Length, config.Seed);
            var wte = model.Transformer.TokenEmbeddingWeight;
            var warmup = config.EffectiveWarmupSteps;
            var total = Stopwatch.StartNew();
            var window = Stopwatch.StartNew();
            long tokens = 0, windowTokens = 0;
            double firstLoss = double.NaN, lastLoss = double.NaN;
            var recent = new Queue<double>();

            for (var step = 0; step < config.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var lr = LearningRateSchedule.At(step, config.Steps, config.LearningRate, config.EffectiveMinLearningRate, warmup);

                var rows = order.Next(config.BatchSize).Select(i => usable[i]).ToArray();
                using var batch = PretrainBatch.Create(rows, config.BlockSize, modelConfig.EffectivePadTokenId);
                double loss, gradNorm;
                using (NewDisposeScope())
                {
                    var hidden = model.HiddenStates(batch.InputIds);                          // [B, T, C]
                    var real = hidden.reshape(-1, modelConfig.NEmbd).index_select(0, batch.Positions);   // [N, C]
                    var logits = nn.functional.linear(real, wte);                             // [N, V]
                    var lossTensor = nn.functional.cross_entropy(logits, batch.Targets);     // []
                    optimizer.ZeroGrad();
                    lossTensor.backward();
                    gradNorm = optimizer.Step(lr, config.GradClip);                            // clip + AdamW, fused
                    loss = lossTensor.item<float>();
                }

                if (step == 0) firstLoss = loss;
                lastLoss = loss;
                recent.Enqueue(loss);
                if (recent.Count > 20) recent.Dequeue();
                tokens += batch.TokenCount;
                windowTokens += batch.TokenCount;

                var last = step == config.Steps - 1;
                if (progress is not null && ((step + 1) % config.LogInterval == 0 || last))
                {
                    var seconds = window.Elapsed.TotalSeconds;
                    progress(new PretrainProgress(step + 1, config.Steps, loss, lr, gradNorm,
                        seconds > 0 ? windowTokens / seconds : 0, total.Elapsed.TotalSeconds));
                    windowTokens = 0;
                    window.Restart();
                }
            }

            model.eval();
            double? validationLoss = validation is { Count: > 0 } ? Evaluate(model, validation, config.BatchSize) : null;
            var count = parameters.Sum(p => p.numel());
            return new PretrainResult(model, firstLoss, lastLoss, recent.Average(), validationLoss, tokens, count,
                total.Elapsed.TotalSeconds);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Mean next-token cross-entropy (nats per token) of <paramref name="model"/> over the sequences.</summary>
    public static double Evaluate(Gpt2LMHeadModel model, IReadOnlyList<int[]> sequences, int batchSize = 16)
    {
        using var noGrad = no_grad();
        var wte = model.Transformer.TokenEmbeddingWeight;
        var usable = sequences.Where(s => s.Length >= 2).ToArray();
        double sum = 0;
        long count = 0;
        for (var i = 0; i < usable.Length; i += batchSize)
        {
            using var batch = PretrainBatch.Create(usable.Skip(i).Take(batchSize).ToArray(), model.Config.NPositions,
                model.Config.EffectivePadTokenId);
            using var scope = NewDisposeScope();
            var hidden = model.HiddenStates(batch.InputIds);
            var real = hidden.reshape(-1, model.Config.NEmbd).index_select(0, batch.Positions);
            var logits = nn.functional.linear(real, wte);
            sum += nn.functional.cross_entropy(logits, batch.Targets, reduction: nn.Reduction.Sum).item<float>();
            count += batch.TokenCount;
        }
        return count > 0 ? sum / count : double.NaN;
    }

    /// <summary>Epochs of seeded shuffles: every sequence once per epoch, a new permutation each epoch.</summary>
    private sealed class DataOrder(int count, int seed)
    {
        private readonly Random _random = new(seed);
        private int[] _permutation = [];
        private int _position;

        public IEnumerable<int> Next(int n)
        {
            var result = new int[n];
            for (var i = 0; i < n; i++)
            {
                if (_position >= _permutation.Length)
                {
                    _permutation = Enumerable.Range(0, count).ToArray();
                    _random.Shuffle(_permutation);
                    _position = 0;
                }
                result[i] = _permutation[_position++];
            }
            return result;
        }
    }
}
